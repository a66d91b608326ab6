using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// `wer run` dumps of real crashes in every type, read by Breakpad's processor (BreakpadCrash says what is
/// checked); the crashing thread's frames are also those gdb shows on the kernel's own core of the same crash.
/// </summary>
[Collection("core_pattern")]
public sealed class BreakpadRunCrashTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("segv", "micro")]
    [InlineData("segv", "mini")]
    [InlineData("segv", "heap")]
    [InlineData("segv", "full")]
    [InlineData("abort", "mini")]
    [InlineData("fpe", "mini")]
    [InlineData("bus", "mini")]
    [InlineData("ill", "mini")]
    public void BreakpadSeesTheSignalTheFaultingThreadAndItsFrames(string mode, string type)
    {
        string folder = _dir.File("dumps");
        var r = Tool.Run(Wer, ["run", "--folder", folder, "--settings", _dir.File("none.ini"), "--type", type, "--", Crasher.Path_, mode],
            TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode > 128, r.All);
        string dump = Assert.Single(Directory.GetFiles(folder, "*.dmp"));

        var functions = BreakpadCrash.Check(dump, mode, Enum.Parse<Dumps.DumpType>(type, ignoreCase: true), oneThread: type == "micro", _dir.File("symbols"));

        string gdb = KernelCore.GdbBacktrace(Crasher.Path_, mode, Directory.CreateDirectory(_dir.File("core")).FullName);
        Assert.Equal(KernelCore.GdbFunctions(gdb, functions.ToHashSet()), functions);
    }
}
