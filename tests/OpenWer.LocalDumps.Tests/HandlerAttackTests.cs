using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.MachineWide;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// The crash handler attacked as an unprivileged user would (the audit of issue 8), through the real
/// kernel.core_pattern: each attack must fail, and the attacker's legitimate dump must still be written.
/// The races are made deterministic with the handler's test pause point (<see cref="HandlerPausePoint"/>).
/// </summary>
[Collection("core_pattern")]
public sealed partial class HandlerAttackTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly TestUser _attacker = new();

    public void Dispose()
    {
        File.Delete(HandlerPausePoint.ControlFile);
        machine.Reset();
        _attacker.Dispose();
    }

    private static void Pause(string point, uint uid)
    {
        Directory.CreateDirectory("/run/openwer");
        // Markers of handlers that ended while paused (at their time limit) are not of this test.
        foreach (var stale in Directory.GetFiles("/run/openwer", "test-paused.*"))
            File.Delete(stale);
        File.WriteAllText(HandlerPausePoint.ControlFile, $"{point} {uid}\n");
    }

    /// <summary>Waits until <paramref name="count"/> handlers are paused at <paramref name="point"/>; returns their pids.</summary>
    private static List<int> WaitPaused(string point, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var pids = Directory.GetFiles("/run/openwer", $"test-paused.{point}.*")
                .Select(f => int.Parse(f[(f.LastIndexOf('.') + 1)..], CultureInfo.InvariantCulture)).ToList();
            if (pids.Count >= count)
                return pids;
            Assert.True(DateTime.UtcNow < deadline, $"no handler paused at {point} (log: {File.ReadAllText("/var/log/openwer.log")[^2000..]})");
            Thread.Sleep(20);
        }
    }

    /// <summary>The attacker crashes, not raced: their dumps must come to <paramref name="expected"/>.</summary>
    private void CrashAndExpectDumps(int expected, string what)
    {
        Assert.NotEqual(0, _attacker.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => _attacker.Dumps().Length == expected, what);
    }

    /// <summary>Starts the crasher as the attacker in a mode that prints READY pid=N; returns the process and N.</summary>
    private (Process Process, int Pid) StartAsAttacker(string mode)
    {
        var psi = new ProcessStartInfo("setpriv", _attacker.As(Crasher.Path_, mode))
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _attacker.Home,
        };
        var p = Process.Start(psi)!;
        string line = p.StandardOutput.ReadLine() ?? "";
        Assert.StartsWith("READY pid=", line);
        return (p, int.Parse(line["READY pid=".Length..], CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void KillingTheCrasherAndHandingItsPidToAVictimYieldsNothingOfTheVictim(string mode)
    {
        const string secret = "OPENWER-VICTIM-SECRET-4f1c";
        machine.Settings("[LocalDumps]\nDumpType=2\n");
        machine.Enable(mode);
        long log = MachineWideFixture.LogLength;
        Pause("before-open", _attacker.Uid);
        var (crasher, pid) = StartAsAttacker("wait-segv");
        crasher.StandardInput.WriteLine("go");
        crasher.StandardInput.Flush();
        WaitPaused("before-open");

        // The attack: kill the crashing process while the kernel waits for its handler, reap it (the test is its
        // parent), and have its pid handed to a victim: a root process holding a secret in its environment.
        Tool.Run("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(crasher.WaitForExit(10_000));
        Eventually.True(() => !Directory.Exists($"/proc/{pid}"), "the killed crasher to be reaped");
        Process? victim = null;
        for (int attempt = 0; attempt < 50 && victim is null; attempt++)
        {
            File.WriteAllText("/proc/sys/kernel/ns_last_pid", (pid - 1).ToString(CultureInfo.InvariantCulture));
            var candidate = Process.Start(new ProcessStartInfo(Crasher.Path_, ["wait"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
                Environment = { ["VICTIM_SECRET"] = secret },
            })!;
            if (candidate.Id == pid)
            {
                victim = candidate;
                break;
            }
            candidate.Kill();
            candidate.WaitForExit();
        }
        Assert.True(victim is not null, $"could not hand pid {pid} to the victim");
        try
        {
            Assert.StartsWith("READY", victim.StandardOutput.ReadLine());
            File.Delete(HandlerPausePoint.ControlFile);
            Eventually.True(() => machine.LogSince(log).Contains($"pid {pid} ", StringComparison.Ordinal), "the handler's log line");
            Thread.Sleep(200);
            string text = machine.LogSince(log);
            Assert.Contains("the crashed process is gone", text);
            foreach (var f in Directory.Exists(_attacker.DumpFolder) ? Directory.GetFiles(_attacker.DumpFolder) : [])
                Assert.DoesNotContain(secret, File.ReadAllText(f));
            Assert.Empty(_attacker.Dumps());
        }
        finally
        {
            victim.Kill();
            victim.WaitForExit();
        }

        // The attacker's own crash, not raced, is still collected.
        CrashAndExpectDumps(1, "the attacker's legitimate dump");
    }

    [Fact]
    public void APreviousHandlerGetsEachValueAsOneArgumentWhateverTheThreadName()
    {
        string recorder = Path.Combine(machine.Dir.Path, $"record-{Guid.NewGuid():N}.sh");
        string recorded = recorder + ".args";
        File.WriteAllText(recorder, $"#!/bin/sh\n{{ echo \"$#\"; for a in \"$@\"; do echo \"[$a]\"; done; }} > {recorded}.tmp\ncat > /dev/null\nmv {recorded}.tmp {recorded}\n");
        File.SetUnixFileMode(recorder, (UnixFileMode)0x1ED);
        machine.Settings("[LocalDumps]\n");
        File.WriteAllText("/proc/sys/kernel/core_pattern", $"|{recorder} %P %e %E %f %C %u");
        machine.Enable();
        Assert.NotEqual(0, _attacker.Run(Crasher.Path_, "named", "x -u 0 --foo").ExitCode);
        Eventually.True(() => File.Exists(recorded), "the previous handler's record");
        var lines = File.ReadAllLines(recorded);
        Assert.Equal("6", lines[0]);
        Assert.Equal("[x -u 0 --foo]", lines[2]);
        Assert.Equal($"[{Crasher.Path_.Replace('/', '!')}]", lines[3]);
        Assert.Equal("[crasher]", lines[4]);
        Assert.Matches(@"^\[\d+\]$", lines[5]);
        Assert.Equal($"[{_attacker.Uid}]", lines[6]);
        Eventually.True(() => _attacker.Dumps().Length == 1, "the attacker's dump");
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void ThreadNamesThatLookLikeOptionsAreJustNames(string mode)
    {
        string[] names = ["-h", "--help", "-?", "@file", "--", "--version", "--settings=x"];
        machine.Settings("[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\n");
        machine.Enable(mode);
        long log = MachineWideFixture.LogLength;
        foreach (var name in names)
            Assert.NotEqual(0, _attacker.Run(Crasher.Path_, "named", name).ExitCode);
        Eventually.True(() => _attacker.Dumps().Length == names.Length, $"{names.Length} dumps");
        string text = machine.LogSince(log);
        foreach (var name in names)
            Assert.Contains($"(crasher, uid {_attacker.Uid}) signal 11 in thread {name}: dump written", text);

        // The administrator's policy holds whatever the name: collection off means off.
        machine.Settings("[LocalDumps]\nDumpCount=0\n");
        log = MachineWideFixture.LogLength;
        Assert.NotEqual(0, _attacker.Run(Crasher.Path_, "named", "--settings=x").ExitCode);
        Eventually.True(() => machine.LogSince(log).Contains("DumpCount is 0", StringComparison.Ordinal), "the DumpCount 0 line");
        Assert.Equal(names.Length, _attacker.Dumps().Length);
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void ASetUidProgramIsNotDumpedIntoItsUsersFolderEvenWhenTheKernelDumpsIt(string mode)
    {
        string setuid = Path.Combine(machine.Dir.Path, $"crasher-suid-{Guid.NewGuid():N}");
        File.Copy(Crasher.Path_, setuid);
        File.SetUnixFileMode(setuid, (UnixFileMode)0x9ED); // 04755 root
        machine.Settings("[LocalDumps]\nDumpType=2\n");
        machine.Enable(mode);
        string saved = File.ReadAllText("/proc/sys/fs/suid_dumpable").Trim();
        long log = MachineWideFixture.LogLength;
        try
        {
            // suid_dumpable = 1 ("debug"): the kernel dumps set-id processes in mode 1, as any other.
            File.WriteAllText("/proc/sys/fs/suid_dumpable", "1");
            Assert.Equal(139, _attacker.Run(setuid, "segv").ExitCode);
            Eventually.True(() => machine.LogSince(log).Contains("set-id", StringComparison.Ordinal), "the set-id line");
        }
        finally
        {
            File.WriteAllText("/proc/sys/fs/suid_dumpable", saved);
        }
        Assert.Empty(_attacker.Dumps());
        Assert.Contains("its user ids", machine.LogSince(log));

        CrashAndExpectDumps(1, "the attacker's own dump");
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void AClaimedHugeVdsoCostsTheHandlerNoMemory(string mode)
    {
        machine.Settings("[LocalDumps]\n");
        machine.Enable(mode);
        long log = MachineWideFixture.LogLength;
        Assert.Equal(139, _attacker.Run(Crasher.Path_, "auxv").ExitCode);
        Eventually.True(() => _attacker.Dumps().Length == 1, "the dump");
        Eventually.True(() => PeakMemory().IsMatch(machine.LogSince(log)), "the handler's log line");
        long peakKb = long.Parse(PeakMemory().Match(machine.LogSince(log)).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(peakKb < 64 * 1024, $"handler peak memory {peakKb} kB");
    }

    [GeneratedRegex(@"handler peak memory (\d+) kB")]
    private static partial Regex PeakMemory();

    [Fact]
    public void OneUsersCrashesTakeAtMostTheirShareOfHandlersAndOthersAreStillCollected()
    {
        // A share of 7: 7 at work, a waiting room of 16 - 2 * 7 = 2, so one user holds at most 9 of the kernel's 16 slots.
        using var other = new TestUser();
        machine.Settings("[OpenWer]\nCrashRateLimit=0\nMaxHandlersPerUser=7\n[LocalDumps]\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        Pause("started", _attacker.Uid);
        var crashes = Enumerable.Range(0, 11).Select(_ => Process.Start(new ProcessStartInfo("setpriv", _attacker.As(Crasher.Path_, "segv")) { UseShellExecute = false })!).ToList();
        WaitPaused("started", 7);
        Eventually.True(() => Regex.Matches(machine.LogSince(log), "waiting room's 2 places are taken").Count == 2, "two crashes turned away");

        // While the attacker's handlers hang, another user's crash is collected at once.
        Assert.NotEqual(0, other.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => other.Dumps().Length == 1, "the other user's dump");

        // Released, the held and the waiting crashes are all collected: a burst is not lost.
        File.Delete(HandlerPausePoint.ControlFile);
        foreach (var c in crashes)
            Assert.True(c.WaitForExit(30_000));
        Eventually.True(() => _attacker.Dumps().Length == 9, "the nine held and waiting crashes' dumps");
        Thread.Sleep(300);
        Assert.Equal(9, _attacker.Dumps().Length);
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void AHandlerThatTakesTooLongGivesUpAndSaysSo(string mode)
    {
        machine.Settings("[OpenWer]\nHandlerTimeLimit=2\n[LocalDumps]\n");
        machine.Enable(mode);
        long log = MachineWideFixture.LogLength;
        Pause("started", _attacker.Uid);
        var watch = Stopwatch.StartNew();
        var r = _attacker.Run(Crasher.Path_, "segv");
        watch.Stop();
        Assert.Equal(139, r.ExitCode);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.5, 15);
        Assert.Contains("time limit (2 s", machine.LogSince(log));
        File.Delete(HandlerPausePoint.ControlFile);
        CrashAndExpectDumps(1, "the next crash's dump");
    }

    [Fact]
    public void TheHandlersOwnOutputGoesToItsLog()
    {
        machine.Settings("[LocalDumps]\n");
        machine.Enable();
        Pause("started", _attacker.Uid);
        var crash = Process.Start(new ProcessStartInfo("setpriv", _attacker.As(Crasher.Path_, "segv")) { UseShellExecute = false })!;
        int handler = Assert.Single(WaitPaused("started"));
        Assert.Equal("/var/log/openwer.log", new FileInfo($"/proc/{handler}/fd/1").LinkTarget);
        Assert.Equal("/var/log/openwer.log", new FileInfo($"/proc/{handler}/fd/2").LinkTarget);
        File.Delete(HandlerPausePoint.ControlFile);
        Assert.True(crash.WaitForExit(20_000));
        Eventually.True(() => _attacker.Dumps().Length == 1, "the dump");
    }

    [Fact]
    public void CoresAreNeverPassedOnToOpenWerItself()
    {
        machine.Settings("[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\n");
        machine.Enable();
        string installed = HandlerInstallation.InstalledPath;
        const string state = "/etc/openwer/previous-core-pattern";
        var saved = File.ReadAllBytes(state);
        try
        {
            PassOnToOurselves(installed, state);
        }
        finally
        {
            File.WriteAllBytes(state, saved);
        }
    }

    private void PassOnToOurselves(string installed, string state)
    {
        // The recorded previous pattern is an OpenWer handler (enable ran again from elsewhere after /etc/openwer was lost) ...
        File.WriteAllLines(state, [$"|{installed} localdumps handle {CrashHandlerArguments.Specifiers}", "16"]);
        long log = MachineWideFixture.LogLength;
        CrashAndExpectDumps(1, "the dump");
        Thread.Sleep(500);
        Assert.Single(_attacker.Dumps());
        Assert.Contains("is an OpenWer handler itself", machine.LogSince(log));

        // ... or a script that runs it: the handler it starts knows it was started by us and stops there.
        string wrapper = Path.Combine(machine.Dir.Path, $"wrapper-{Guid.NewGuid():N}.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {installed} localdumps handle \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0x1ED);
        File.WriteAllLines(state, [$"|{wrapper} {CrashHandlerArguments.Specifiers}", "16"]);
        log = MachineWideFixture.LogLength;
        CrashAndExpectDumps(2, "the second dump");
        Eventually.True(() => machine.LogSince(log).Contains("not repeating", StringComparison.Ordinal), "the stop of the chain");
        Thread.Sleep(500);
        Assert.Equal(2, _attacker.Dumps().Length);
        Assert.Single(Regex.Matches(machine.LogSince(log), "dump written"));
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("socket")]
    public void EnableRefusesAHandlerOthersCanReplaceAndNeverLoadsAPlantedLibc(string mode)
    {
        // The attacker owns a folder holding a copy of wer (a checkout root builds in), and plants libc there.
        string folder = Path.Combine(_attacker.Home, "checkout");
        Directory.CreateDirectory(folder);
        string wer = Path.Combine(folder, "wer");
        File.Copy(machine.Wer, wer);
        Tool.Run("chown", ["-R", $"{_attacker.Uid}:{_attacker.Gid}", folder]);
        string marker = Path.Combine(machine.Dir.Path, $"planted-libc-ran-{Guid.NewGuid():N}");
        string source = Path.Combine(folder, "evil.c");
        File.WriteAllText(source, $"#include <stdio.h>\n__attribute__((constructor)) static void run(void) {{ FILE *f = fopen(\"{marker}\", \"w\"); if (f) fclose(f); }}\n");
        foreach (var name in new[] { "libc.so", "libc.so.6", "libc" })
            Assert.Equal(0, _attacker.Run("cc", "-shared", "-fPIC", "-o", Path.Combine(folder, name), source).ExitCode);

        var refused = Tool.Run(wer, ["localdumps", "enable", "--handler", wer]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"belongs to uid {_attacker.Uid}", refused.Error);
        Assert.DoesNotContain("localdumps handle", File.ReadAllText("/proc/sys/kernel/core_pattern"));

        var enabled = Tool.Run(wer, ["localdumps", "enable", "--mode", mode]);
        Assert.True(enabled.ExitCode == 0, enabled.All);
        if (mode == "pipe")
        {
            Assert.StartsWith($"|{HandlerInstallation.InstalledPath} localdumps handle", File.ReadAllText("/proc/sys/kernel/core_pattern"));
        }
        else
        {
            // The service root runs is the installed copy too, not the attacker's.
            int service = Assert.IsType<int>(OpenWer.LocalDumps.MachineWide.Service.CoredumpServiceControl.Running());
            Assert.Equal(HandlerInstallation.InstalledPath, new FileInfo($"/proc/{service}/exe").LinkTarget);
        }
        Assert.Null(HandlerInstallation.WhyUntrusted(HandlerInstallation.InstalledPath));
        machine.Settings("[LocalDumps]\n");
        CrashAndExpectDumps(1, "the dump");
        Assert.False(File.Exists(marker), "a libc planted beside wer was loaded");
        // Not by the copy either, run by root from the attacker's folder.
        Assert.Equal(0, Tool.Run(wer, ["localdumps", "show"]).ExitCode);
        Assert.False(File.Exists(marker), "the copy loaded the libc planted beside it");
    }
}
