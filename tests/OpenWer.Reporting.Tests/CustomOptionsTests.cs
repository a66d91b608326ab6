using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Tests;

/// <summary>WER_DUMP_CUSTOM_OPTIONS: dump flags, per-thread and per-module write flags, the preferred module list.</summary>
public sealed class CustomOptionsTests : IDisposable
{
    private readonly ReportContext _c = new();

    public void Dispose() => _c.Dispose();

    private string _lastPath = "";

    private async Task<MinidumpReader> Dump(WerDumpCustomOptions options, int? thread = null)
    {
        using var report = _c.NewReport(null);
        report.AddDump(_c.Target.Pid, thread, WerDumpType.MiniDump, null, options);
        await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.Queue);
        string dump = Assert.Single(Directory.GetFiles(Assert.Single(_c.Queued()), "*.dmp"));
        string copy = _c.Dir.File($"{Guid.NewGuid():N}.dmp");
        File.Copy(dump, copy);
        Directory.Delete(Path.GetDirectoryName(dump)!, recursive: true);
        _lastPath = copy;
        return MinidumpReader.Open(copy);
    }

    [Fact]
    public async Task DumpTypeMaskReplacesTheFlags()
    {
        using var r = await Dump(new WerDumpCustomOptions { Mask = WerDumpCustomOptions.MaskDumpType, DumpFlags = 0x200 });
        Assert.Equal((Format.MinidumpType)0x200, r.Header.Flags);
        using var ignored = await Dump(new WerDumpCustomOptions { Mask = 0, DumpFlags = 0x200 }); // a field counts only with its mask bit
        Assert.Equal(OpenWer.Dumps.DumpTypeFlags.Mini, ignored.Header.Flags);
    }

    [Fact]
    public async Task OtherThreadsWithoutStackFlagKeepNoStack()
    {
        using var r = await Dump(new WerDumpCustomOptions { Mask = WerDumpCustomOptions.MaskOtherThreadFlags, OtherThreadFlags = 1 | 4 });
        var threads = r.ReadThreads();
        Assert.Equal(_c.Target.TaskIds().Count, threads.Count);
        Assert.All(threads.Where(t => t.ThreadId != (uint)_c.Target.Pid), t => Assert.Equal(0u, t.Stack.Memory.DataSize));
        Assert.NotEqual(0u, threads.Single(t => t.ThreadId == (uint)_c.Target.Pid).Stack.Memory.DataSize);
    }

    [Fact]
    public async Task OnlyThePreferredModulesAreListed()
    {
        using var r = await Dump(new WerDumpCustomOptions
        {
            Mask = WerDumpCustomOptions.MaskPreferredModuleList | WerDumpCustomOptions.MaskPreferredModuleFlags | WerDumpCustomOptions.MaskOtherModuleFlags,
            PreferredModuleList = ["libc.so.6"],
            PreferredModuleFlags = 1 | 8,
            OtherModuleFlags = 0,
        });
        var module = Assert.Single(r.ReadModules());
        Assert.EndsWith("/libc.so.6", module.Name);
        Assert.NotNull(module.BuildId);
        string lldb = Lldb.Run(_lastPath, "image list");
        Assert.Contains("libc.so.6", lldb);
        Assert.DoesNotContain("/target", lldb);
    }

    [Fact]
    public async Task ClearingCvRecordDropsTheBuildId()
    {
        using var r = await Dump(new WerDumpCustomOptions { Mask = WerDumpCustomOptions.MaskOtherModuleFlags, OtherModuleFlags = 1 });
        Assert.NotEmpty(r.ReadModules());
        Assert.All(r.ReadModules(), m => Assert.Null(m.BuildId));
    }
}
