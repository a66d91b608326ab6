using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// Crashes of real processes collected through the real kernel.core_pattern by the Native AOT handler.
/// </summary>
[Collection("core_pattern")]
public sealed class MachineWideTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(machine.Dir.Path, Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => machine.Reset();

    private string[] Dumps() => Directory.GetFiles(_folder, "*.dmp");

    [Theory]
    [InlineData("abort", "SIGABRT", "pipe")]
    [InlineData("fpe", "SIGFPE", "pipe")]
    [InlineData("bus", "SIGBUS", "pipe")]
    [InlineData("ill", "SIGILL", "pipe")]
    [InlineData("abort", "SIGABRT", "socket")]
    [InlineData("bus", "SIGBUS", "socket")]
    public void EachSignalIsCollectedWithTheKernelsFrames(string mode, string name, string collection)
    {
        string coreFolder = Directory.CreateDirectory(Path.Combine(_folder, "core")).FullName;
        string gdb = KernelCore.GdbBacktrace(Crasher.Path_, mode, coreFolder);
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable(collection);
        machine.Crash(mode);
        string dump = Assert.Single(Dumps());
        string lldb = Lldb.Run(dump, "thread list", "bt");
        Assert.Contains($"stop reason = signal {name}", lldb);
        var ours = KernelCore.LldbFunctions(lldb[lldb.IndexOf("(lldb) bt", StringComparison.Ordinal)..], "crasher");
        Assert.Contains("main", ours);
        Assert.Equal(KernelCore.GdbFunctions(gdb, ours.ToHashSet()), ours);
    }

    [Fact]
    public void ASetIdProcessIsNotDumpedIntoAUsersFolder()
    {
        // A set-uid copy of the crasher, run by nobody: with fs.suid_dumpable = 2 the kernel dumps it in "suidsafe" mode (%d = 2).
        string setuid = Path.Combine(machine.Dir.Path, $"crasher-suid-{Guid.NewGuid():N}");
        File.Copy(Crasher.Path_, setuid);
        File.SetUnixFileMode(setuid, (UnixFileMode)0x9ED); // 04755
        string theirs = Directory.CreateDirectory(Path.Combine(_folder, "theirs")).FullName;
        Tool.Run("chown", ["65534:65534", theirs]);
        machine.Settings($"[LocalDumps]\nDumpFolder={theirs}\n");
        machine.Enable();
        string saved = File.ReadAllText("/proc/sys/fs/suid_dumpable").Trim();
        long log = MachineWideFixture.LogLength;
        try
        {
            File.WriteAllText("/proc/sys/fs/suid_dumpable", "2");
            var r = Tool.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", setuid, "segv"]);
            Assert.Equal(139, r.ExitCode);
            Thread.Sleep(200);
        }
        finally
        {
            File.WriteAllText("/proc/sys/fs/suid_dumpable", saved);
        }
        Assert.Empty(Directory.GetFiles(theirs));
        Assert.Contains("fs.suid_dumpable = 2", machine.LogSince(log));
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void ACrashIsCollectedWithTheSameFramesAsTheKernelsCore(string collection)
    {
        string coreFolder = Directory.CreateDirectory(Path.Combine(_folder, "core")).FullName;
        string gdb = KernelCore.GdbBacktrace(Crasher.Path_, "segv", coreFolder);
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable(collection);
        machine.Crash("segv");
        string dump = Assert.Single(Dumps());
        Assert.Matches(@"crasher\.\d+\.dmp$", dump);
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(dump));
        string lldb = Lldb.Run(dump, "thread list", "bt");
        Assert.Contains("stop reason = signal SIGSEGV", lldb);
        var ours = KernelCore.LldbFunctions(lldb[lldb.IndexOf("(lldb) bt", StringComparison.Ordinal)..], "crasher");
        Assert.Equal(["crash_in_thread", "segv_thread"], ours);
        Assert.Equal(KernelCore.GdbFunctions(gdb, ours.ToHashSet()), ours);
        using var reader = MinidumpReader.Open(dump);
        var e = reader.ReadException()!.Value;
        Assert.Equal((11u, 16UL), (e.ExceptionCode, e.ExceptionAddress));
        Assert.Equal("owr-crasher", reader.ReadThreadNames()[e.ThreadId]);
        Assert.Equal(OpenWer.Dumps.DumpTypeFlags.Mini, reader.Header.Flags);
    }

    [Fact]
    public void EnableAndDisableRestoreThePreviousPattern()
    {
        string before = File.ReadAllText("/proc/sys/kernel/core_pattern").TrimEnd('\n');
        string limit = File.ReadAllText("/proc/sys/kernel/core_pipe_limit").Trim();
        machine.Enable();
        Assert.StartsWith($"|{OpenWer.LocalDumps.MachineWide.HandlerInstallation.InstalledPath} localdumps handle %F %P", File.ReadAllText("/proc/sys/kernel/core_pattern"));
        Assert.Equal("16", File.ReadAllText("/proc/sys/kernel/core_pipe_limit").Trim());
        Assert.Contains("kernel.core_pattern", File.ReadAllText("/etc/sysctl.d/50-openwer-localdumps.conf"));
        machine.Enable(); // twice: must still remember the original
        machine.Disable();
        Assert.Equal(before, File.ReadAllText("/proc/sys/kernel/core_pattern").TrimEnd('\n'));
        Assert.Equal(limit, File.ReadAllText("/proc/sys/kernel/core_pipe_limit").Trim());
        Assert.False(File.Exists("/etc/sysctl.d/50-openwer-localdumps.conf"));
    }

    [Fact]
    public void TwelveCrashesLeaveTheTenNewest()
    {
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable();
        for (int i = 0; i < 12; i++)
            machine.Crash("abort");
        Assert.Equal(10, Dumps().Length);
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void TwentySimultaneousCrashesLeaveDumpCountWholeDumps(string collection)
    {
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={_folder}\nDumpCount=10\n");
        machine.Enable(collection);
        Parallel.For(0, 20, new ParallelOptions { MaxDegreeOfParallelism = 20 }, _ => Tool.Run(Crasher.Path_, ["segv"]));
        Thread.Sleep(500);
        var dumps = Dumps();
        Assert.Equal(10, dumps.Length);
        foreach (var d in dumps)
        {
            using var r = MinidumpReader.Open(d);
            Assert.Equal(11u, r.ReadException()!.Value.ExceptionCode);
        }
        Assert.Empty(Directory.GetFiles(_folder, ".*.tmp"));
    }

    [Fact]
    public void RepeatedCrashesAreRateLimitedAndTheSkipsLogged()
    {
        machine.Settings($"[OpenWer]\nCrashRateLimit=2\nCrashRateWindow=600\n[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        for (int i = 0; i < 4; i++)
            machine.Crash("abort");
        Assert.Equal(2, Dumps().Length);
        string text = machine.LogSince(log);
        Assert.Contains("(2 skipped so far)", text);
    }

    [Fact]
    public void AnApplicationsSectionOverridesAndABadValueCostsNothing()
    {
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\nDumpCount=banana\n[LocalDumps\\crasher.exe]\nDumpType=2\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        machine.Crash("fpe");
        using var reader = MinidumpReader.Open(Assert.Single(Dumps()));
        Assert.Equal(OpenWer.Dumps.DumpTypeFlags.Full, reader.Header.Flags);
        Assert.Contains("DumpCount \"banana\"", machine.LogSince(log));
    }

    [Fact]
    public void ASymlinkPlantedInTheFolderIsNotFollowed()
    {
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable();
        string victim = Path.Combine(machine.Dir.Path, $"victim-{Guid.NewGuid():N}");
        File.WriteAllText(victim, "precious");
        // Start it first, so its pid is known, and plant the link under the name its dump will take.
        var crasher = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Crasher.Path_, ["wait"]) { RedirectStandardOutput = true })!;
        Assert.StartsWith("READY", crasher.StandardOutput.ReadLine());
        File.CreateSymbolicLink(Path.Combine(_folder, $"crasher.{crasher.Id}.dmp"), victim);
        Tool.Run("kill", ["-SEGV", crasher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        crasher.WaitForExit();
        Thread.Sleep(200);
        Assert.Equal("precious", File.ReadAllText(victim));
        var real = Dumps().Where(d => new FileInfo(d).LinkTarget is null).ToList();
        Assert.Single(real);
        Assert.Matches(@"crasher\.\d+\.1\.dmp$", real[0]);
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void DumpsAreWrittenAsTheCrashingUserAndOnlyWhereThatUserMayWrite(string collection)
    {
        const int nobody = 65534;
        string theirs = Directory.CreateDirectory(Path.Combine(_folder, "theirs")).FullName;
        Tool.Run("chown", [$"{nobody}:{nobody}", theirs]);
        string rootOnly = Directory.CreateDirectory(Path.Combine(_folder, "root-only")).FullName;
        File.SetUnixFileMode(rootOnly, (UnixFileMode)0x1C0); // 0700 root

        machine.Settings($"[LocalDumps]\nDumpFolder={theirs}\n");
        machine.Enable(collection);
        machine.Crash("segv", uid: nobody);
        string dump = Assert.Single(Directory.GetFiles(theirs, "*.dmp"));
        var owner = Tool.Run("stat", ["-c", "%u %a", dump]).Output.Trim();
        Assert.Equal($"{nobody} 600", owner);

        machine.Settings($"[LocalDumps]\nDumpFolder={rootOnly}\n");
        long log = MachineWideFixture.LogLength;
        machine.Crash("segv", uid: nobody);
        Assert.Empty(Directory.GetFileSystemEntries(rootOnly));
        Assert.Contains("no dump", machine.LogSince(log));
    }

    [Fact]
    public void TheCoreStillReachesAPreviousPipeHandler()
    {
        string recorder = Path.Combine(_folder, "record.sh");
        string recorded = Path.Combine(_folder, "recorded.core");
        File.WriteAllText(recorder, $"#!/bin/sh\ncat > {recorded}.tmp && echo \"$1\" > {recorded}.pid && mv {recorded}.tmp {recorded}\n");
        File.SetUnixFileMode(recorder, (UnixFileMode)0x1ED);
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        File.WriteAllText("/proc/sys/kernel/core_pattern", $"|{recorder} %P");
        machine.Enable();
        machine.Crash("abort");
        Thread.Sleep(300);
        Assert.Single(Dumps());
        var core = File.ReadAllBytes(recorded);
        Assert.Equal("\u007fELF"u8.ToArray(), core[..4]);
        var readelf = Tool.Run("readelf", ["-n", recorded]);
        Assert.Contains("NT_PRSTATUS", readelf.Output);
        Assert.Contains("NT_SIGINFO", readelf.Output);
        machine.Disable();
        Assert.Equal($"|{recorder} %P", File.ReadAllText("/proc/sys/kernel/core_pattern").TrimEnd('\n'));
    }

    [Fact]
    public void AProcessUnderADebuggerIsNotCollected()
    {
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        // gdb stops at the SIGSEGV, then lets it through: the kernel dumps a core of a traced process.
        Tool.Run("gdb", ["-batch", "-ex", "run", "-ex", "continue", "--args", Crasher.Path_, "segv"]);
        Thread.Sleep(200);
        Assert.Empty(Dumps());
        Assert.Contains("runs under a debugger", machine.LogSince(log));
    }

    [Fact]
    public void ADotNetUnhandledExceptionIsCollected()
    {
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable();
        var r = Tool.Run("dotnet", [ManagedFixture.DllPath, "--throw"]);
        Assert.Contains("OPENWER-UNHANDLED", r.Error);
        Thread.Sleep(300);
        string dump = Assert.Single(Dumps());
        Assert.Contains("stop reason = signal SIGABRT", Lldb.Run(dump, "thread list"));
    }
}
