using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// `wer convert CORE --to minidump`: gdb's own core of a live process (gcore) becomes a minidump that lldb-16 and
/// Breakpad's processor read with the threads, registers and build-ids gdb shows on the core.
/// </summary>
public sealed partial class ConvertTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("mini")]
    [InlineData("heap")]
    [InlineData("full")]
    public void AGcoreCoreConvertsToAMinidumpWithGdbsThreadsRegistersAndBuildIds(string type)
    {
        using var target = new NativeTarget(threads: 4);
        string pid = target.Pid.ToString(CultureInfo.InvariantCulture);
        var gcore = Tool.Run("gcore", ["-o", _dir.File("core"), pid], TimeSpan.FromMinutes(2));
        string core = _dir.File($"core.{pid}");
        Assert.True(File.Exists(core), "gcore wrote no core: " + gcore.All);
        target.AssertAlive();

        string dump = _dir.File($"{type}.dmp");
        var convert = Tool.Run(Wer, ["convert", core, "--to", "minidump", "--type", type, "-o", dump], TimeSpan.FromMinutes(2));
        Assert.True(convert.ExitCode == 0, convert.All);

        // gdb on the core: each thread's LWP with its rip and rsp.
        var gdb = Gdb.OnCore(NativeTarget.BinaryPath, core, "thread apply all printf \"rip %lx rsp %lx\\n\", $rip, $rsp");
        var expected = new Dictionary<int, (ulong Rip, ulong Rsp)>();
        int lwp = 0;
        foreach (var line in gdb.Split('\n'))
        {
            if (ThreadHeading().Match(line) is { Success: true } h)
                lwp = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (RipRsp().Match(line) is { Success: true } r && lwp != 0)
                expected[lwp] = (Convert.ToUInt64(r.Groups[1].Value, 16), Convert.ToUInt64(r.Groups[2].Value, 16));
        }
        Assert.Equal(target.TaskIds(), expected.Keys.Order());

        var threads = Lldb.ThreadIds(Lldb.Run(dump, "thread list"));
        Assert.Equal(expected.Keys.Order(), threads.Order());
        Assert.Equal(expected.OrderBy(e => e.Key), Lldb.Registers(dump, threads).OrderBy(e => e.Key));
        var images = Lldb.Images(Lldb.Run(dump, "image list"));
        Assert.Contains(images, i => i.Key.EndsWith("/target", StringComparison.Ordinal) && i.Value == ReadElf.BuildId(NativeTarget.BinaryPath));
        string libc = File.ReadLines($"/proc/{pid}/maps").Where(l => l.Contains('/', StringComparison.Ordinal)).Select(l => l[l.IndexOf('/')..]).First(p => p.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.Contains(images, i => i.Key.EndsWith("/libc.so.6", StringComparison.Ordinal) && i.Value == ReadElf.BuildId(libc));

        // Breakpad's processor: the same threads, and the program's module with its build-id as code id.
        var walk = BreakpadStackwalk.Run(dump, _dir.File("no-symbols"));
        Assert.Equal(expected.Count, walk.Threads.Count);
        Assert.Contains(walk.Modules, m => m.Main && m.CodeFile.EndsWith("target", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/etc/hostname", "not an ELF file")]
    [InlineData("/bin/true", "not a core")]
    [InlineData("/no/such/core", "no such file")]
    public void WhatIsNotACoreIsRefusedAndNoDumpIsLeft(string input, string error)
    {
        string dump = _dir.File("x.dmp");
        var r = Tool.Run(Wer, ["convert", input, "-o", dump]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(error, r.Error);
        Assert.False(File.Exists(dump));
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*"));
    }

    [GeneratedRegex(@"^Thread \d+ \(.*LWP (\d+)\)")]
    private static partial Regex ThreadHeading();

    [GeneratedRegex(@"^rip ([0-9a-f]+) rsp ([0-9a-f]+)")]
    private static partial Regex RipRsp();
}
