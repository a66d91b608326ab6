using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;

namespace OpenWer.Dumps.Tests;

/// <summary>A program run from a memfd (fexecve) is a module of its dump like any other: readers need its frames.</summary>
public sealed class MemfdExecutableTests : IDisposable
{
    private static readonly Lazy<string> Launcher = new(() =>
        FixtureCompiler.Build("memfd-exec.c", Path.Combine(Directory.CreateTempSubdirectory("openwer-memfd-").FullName, "memfd-exec")));

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AnExecutableRunFromAMemfdIsListedWithItsBuildId()
    {
        using var target = new NativeTarget(Launcher.Value, [NativeTarget.BinaryPath, "--threads", "2", "--heap-mib", "0"]);
        Assert.Contains("/memfd:owr-memfd-target", File.ReadAllText($"/proc/{target.Pid}/maps"));
        string dump = _dir.File("memfd.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, DumpType.Mini, null, dump));
        string buildId = ReadElf.BuildId(NativeTarget.BinaryPath)!;

        using (var reader = MinidumpReader.Open(dump))
        {
            // The main executable comes first, as Breakpad and rust-minidump expect.
            var main = reader.ReadModules()[0];
            Assert.StartsWith("/memfd:owr-memfd-target", main.Name);
            Assert.Equal(buildId, Convert.ToHexStringLower(main.BuildId!));
        }
        var images = Lldb.Images(Lldb.Run(dump, "image list"));
        Assert.Contains(images, i => i.Key.Contains("memfd:owr-memfd-target", StringComparison.Ordinal) && i.Value == buildId);
        target.AssertAlive();
    }
}
