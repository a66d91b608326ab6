using System.Diagnostics;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// `wer run`: real programs crash under supervision; the dump holds the faulting thread and signal (lldb-16 shows
/// them as the stop reason), the same frames gdb shows on the kernel's own core of the same crash, and the
/// program ends exactly as it would have.
/// </summary>
[Collection("core_pattern")]
public sealed class RunTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder => _dir.File("dumps");

    private Tool.Result Run(params string[] program) =>
        Tool.Run(Wer, ["run", "--folder", Folder, "--settings", _dir.File("none.ini"), "--", .. program], TimeSpan.FromMinutes(2));

    [Theory]
    [InlineData("segv", 11, "SIGSEGV")]
    [InlineData("abort", 6, "SIGABRT")]
    [InlineData("fpe", 8, "SIGFPE")]
    [InlineData("bus", 7, "SIGBUS")]
    [InlineData("ill", 4, "SIGILL")]
    public void ACrashIsDumpedWithItsSignalAndFramesThenEndsTheSameWay(string mode, int signal, string name)
    {
        var r = Run(Crasher.Path_, mode);
        Assert.Equal(128 + signal, r.ExitCode);
        string dump = Assert.Single(Directory.GetFiles(Folder, "*.dmp"));
        Assert.Contains($"dump written to {dump}", r.Error);

        using (var reader = MinidumpReader.Open(dump))
        {
            var e = reader.ReadException()!.Value;
            Assert.Equal((uint)signal, e.ExceptionCode);
            int pid = (int)reader.ReadMiscInfo()!.Value.ProcessId;
            if (mode == "segv")
            {
                Assert.NotEqual((uint)pid, e.ThreadId); // a worker thread crashed
                Assert.Equal("owr-crasher", reader.ReadThreadNames()[e.ThreadId]);
                Assert.Equal(16UL, e.ExceptionAddress); // si_addr: the address written
                Assert.Equal(1u, e.ExceptionFlags); // SEGV_MAPERR
            }
            else
            {
                Assert.Equal((uint)pid, e.ThreadId);
            }
        }

        string lldb = Lldb.Run(dump, "thread list", "bt");
        Assert.Contains($"stop reason = signal {name}", lldb);

        string coreFolder = Directory.CreateDirectory(_dir.File("core")).FullName;
        string gdb = KernelCore.GdbBacktrace(Crasher.Path_, mode, coreFolder);
        var ours = KernelCore.LldbFunctions(lldb[lldb.IndexOf("(lldb) bt", StringComparison.Ordinal)..], "crasher");
        Assert.NotEmpty(ours);
        Assert.Equal(KernelCore.GdbFunctions(gdb, ours.ToHashSet()), ours);
    }

    [Fact]
    public void ANormalExitLeavesNoDumpAndTheSameStatus()
    {
        var r = Run(Crasher.Path_, "exit", "3");
        Assert.Equal(3, r.ExitCode);
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public void ASignalTheProgramHandlesIsNotACrash()
    {
        var r = Run(Crasher.Path_, "handled-segv");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("recovered", r.Output);
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public void CtrlCReachesTheProgramAndWerEndsLikeIt()
    {
        var psi = new ProcessStartInfo(Wer, ["run", "--folder", Folder, "--settings", _dir.File("none.ini"), "--", Crasher.Path_, "wait"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var wer = Process.Start(psi)!;
        string ready = wer.StandardOutput.ReadLine()!;
        int pid = int.Parse(ready.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        // What the terminal does on Ctrl-C: SIGINT to the whole foreground group, wer included.
        Tool.Run("kill", ["-INT", wer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(wer.WaitForExit(30_000));
        Assert.Equal(130, wer.ExitCode);
        Assert.False(Directory.Exists(Folder)); // SIGINT is not a crash
    }

    [Fact]
    public void SettingsDecideTheDumpType()
    {
        string settings = _dir.File("localdumps.ini");
        File.WriteAllText(settings, $"[LocalDumps]\nDumpFolder={Folder}\n[LocalDumps\\crasher.exe]\nDumpType=2\n");
        var r = Tool.Run(Wer, ["run", "--settings", settings, "--", Crasher.Path_, "abort"]);
        Assert.Equal(134, r.ExitCode);
        using var reader = MinidumpReader.Open(Assert.Single(Directory.GetFiles(Folder, "*.dmp")));
        Assert.Equal(Dumps.DumpTypeFlags.Full, reader.Header.Flags);
        Assert.NotEmpty(reader.ReadMemory64List().Ranges);
    }

    [Fact]
    public void ADotNetUnhandledExceptionIsDumped()
    {
        string managed = ManagedFixture.DllPath;
        var r = Tool.Run(Wer, ["run", "--folder", Folder, "--settings", _dir.File("none.ini"), "--", "dotnet", managed, "--throw"], TimeSpan.FromMinutes(2));
        Assert.Equal(134, r.ExitCode); // the runtime aborts on an unhandled exception
        Assert.Contains("OPENWER-UNHANDLED", r.Error);
        string dump = Assert.Single(Directory.GetFiles(Folder, "*.dmp"));
        Assert.StartsWith("dotnet.", Path.GetFileName(dump));
        Assert.Contains("stop reason = signal SIGABRT", Lldb.Run(dump, "thread list"));
    }
}
