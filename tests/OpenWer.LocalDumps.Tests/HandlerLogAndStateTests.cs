using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.MachineWide;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// The handler's log and rate-limit state under attack by an unprivileged user (audit findings 9, 10 and 14):
/// names that forge log lines, names that are not UTF-8, a flood of executable names, a log others could read.
/// Each attack runs as a fresh user through the real core_pattern, and the user's own dump is still written.
/// </summary>
[Collection("core_pattern")]
public sealed partial class HandlerLogAndStateTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly TestUser _user = new();

    public void Dispose()
    {
        machine.Reset();
        _user.Dispose();
    }

    private string UserDumps => Path.Combine(_user.Home, ".local/share/CrashDumps");

    /// <summary>The user copies the crasher to a file name given as printf(1) text (so any byte can be in it) and crashes it.</summary>
    private void CrashAs(string printfName, string mode = "segv")
    {
        var r = _user.Shell($"n=\"$(printf '{printfName}')\" && cp {Crasher.Path_} \"$n\" && exec ./\"$n\" {mode}");
        Assert.NotEqual(0, r.ExitCode);
        Thread.Sleep(200);
    }

    private static string NewLogBytes(long offset, out byte[] bytes)
    {
        using var f = new FileStream(HandlerLog.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Position = Math.Min(offset, f.Length);
        using var copy = new MemoryStream();
        f.CopyTo(copy);
        bytes = copy.ToArray();
        // Throws on a byte that is not UTF-8: the log must be text whatever the names were.
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
    }

    [Fact]
    public void ANewlineInAnExecutablesNameCannotWriteALineOfTheLog()
    {
        machine.Settings("[LocalDumps]\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs("evil\\nFORGED pid 1 (sshd, uid 0) signal 11: dump written to root");
        var lines = NewLogBytes(log, out _).Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("FORGED", StringComparison.Ordinal));
        string line = Assert.Single(lines, l => l.Contains("FORGED", StringComparison.Ordinal));
        Assert.Contains(@"(evil\x0aFORGED pid 1 (sshd, uid 0) signal 11: dump written to root, uid " + _user.Uid.ToString(CultureInfo.InvariantCulture) + ")", line);
        Assert.Contains("dump written to", line);
        Assert.Single(Directory.GetFiles(UserDumps, "*.dmp"));
    }

    [Fact]
    public void BytesThatAreNotUtf8InANameAreEscapedInTheLog()
    {
        machine.Settings("[LocalDumps]\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs(@"bad\377\376name\033[2J");
        string text = NewLogBytes(log, out byte[] bytes);
        Assert.DoesNotContain((byte)0xff, bytes);
        Assert.DoesNotContain((byte)0x1b, bytes);
        string line = Assert.Single(text.Split('\n'), l => l.Contains("name", StringComparison.Ordinal) && l.Contains("bad", StringComparison.Ordinal));
        Assert.Contains(@"(bad\xff\xfename\x1b[2J, uid ", line);
        Assert.Contains("dump written to", line);
        Assert.Single(Directory.GetFiles(UserDumps, "*.dmp"));
    }

    [Fact]
    public void ThreeHundredExecutableNamesLeaveOneBoundedStateFile()
    {
        machine.Settings("[OpenWer]\nCrashRateLimit=2\nCrashRateWindow=600\n[LocalDumps]\nDumpCount=3\n");
        string old = Directory.CreateDirectory("/run/openwer/rate").FullName;
        File.WriteAllText(Path.Combine(old, "left-by-the-previous-version"), "1\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        var r = _user.Shell($"for i in $(seq 300); do cp {Crasher.Path_} c$i; done; " +
            "for i in $(seq 300); do ./c$i abort 2>/dev/null & if [ $((i % 10)) = 0 ]; then wait; fi; done; wait");
        Assert.True(r.ExitCode == 0, r.All);
        Thread.Sleep(300);

        Assert.False(Directory.Exists(old));
        Assert.DoesNotContain(Directory.GetFiles(CrashRateLimiter.DefaultFolder, "*", SearchOption.AllDirectories), f => Regex.IsMatch(Path.GetFileName(f), @"^c\d+$"));
        var state = new FileInfo(Path.Combine(CrashRateLimiter.DefaultFolder, CrashRateLimiter.StateName));
        Assert.Equal((UnixFileMode)0x180, state.UnixFileMode);
        Assert.True(state.Length < 16384, $"{state.Length} bytes of state for 300 names");
        var table = CrashRateLimiter.Current()!;
        Assert.Equal(CrashRateTable.MaxExecutables, table.Count);
        Assert.Contains("c300", table.Executables);
        Assert.DoesNotContain("c1", table.Executables);
        var logged = UserLines(machine.LogSince(log)).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(300, logged.Count);

        // The flood cost the user's own program nothing: its crash is still dumped.
        long before = MachineWideFixture.LogLength;
        Assert.NotEqual(0, _user.Run(Crasher.Path_, "segv").ExitCode);
        Thread.Sleep(200);
        Assert.Matches(@"\(crasher, uid \d+\) signal 11 in thread owr-crasher: dump written to", machine.LogSince(before));
        Assert.Contains(Directory.GetFiles(UserDumps, "*.dmp"), d => Path.GetFileName(d).StartsWith("crasher.", StringComparison.Ordinal));
    }

    private IEnumerable<Match> UserLines(string log) =>
        Regex.Matches(log, $@"\((c\d+), uid {_user.Uid}\) signal 6: dump written to");

    [Fact]
    public void TheLogIsRootsAloneAndRotatesPastItsBound()
    {
        machine.Settings("[OpenWer]\nCrashRateLimit=0\nLogMaxBytes=2048\n[LocalDumps]\n");
        File.Delete(HandlerLog.RotatedPath);
        File.AppendAllText(HandlerLog.FilePath, ""); // as the previous version left it: world-readable
        File.SetUnixFileMode(HandlerLog.FilePath, (UnixFileMode)0x1A4);
        machine.Enable();
        var pids = new List<int>();
        for (int i = 0; i < 25; i++) // some 200 bytes a line: more than two generations hold
        {
            var r = _user.Shell($"{Crasher.Path_} wait > ready & p=$!; until grep -q READY ready; do sleep 0.01; done; echo $p; kill -SEGV $p; wait $p; rm ready");
            pids.Add(int.Parse(r.Output.Trim(), CultureInfo.InvariantCulture));
            Thread.Sleep(100);
        }
        foreach (string path in new[] { HandlerLog.FilePath, HandlerLog.RotatedPath })
        {
            Assert.Equal("0 600", Tool.Run("stat", ["-c", "%u %a", path]).Output.Trim());
            Assert.True(new FileInfo(path).Length <= 2048, $"{path} is {new FileInfo(path).Length} bytes");
        }
        string both = File.ReadAllText(HandlerLog.RotatedPath) + File.ReadAllText(HandlerLog.FilePath);
        // Two generations of 2 KiB hold the newest crashes (at least two, whatever else is logged), each with its
        // line, and only whole lines: a rotation never cuts one.
        foreach (int pid in pids.TakeLast(2))
            Assert.Contains($"pid {pid} (crasher, uid {_user.Uid}) signal 11: dump written to", both);
        Assert.All(both.TrimEnd('\n').Split('\n'), l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \S", l));
        Assert.DoesNotContain($"pid {pids[0]} (", both); // the oldest went with the generation dropped
        var denied = _user.Shell($"cat {HandlerLog.FilePath} {HandlerLog.RotatedPath}");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Error);
        Assert.Equal(10, Directory.GetFiles(UserDumps, "*.dmp").Length);
    }

    [Fact]
    public void CrashesTheKernelDropsOverCorePipeLimitAreReportedByShow()
    {
        machine.Settings("[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\n");
        machine.Enable();
        File.WriteAllText("/proc/sys/kernel/core_pipe_limit", "1"); // the fixture restores it
        var pids = SimultaneousCrashes.Run(Crasher.Path_, 6, _user.As(Crasher.Path_)[..^1]);
        int dumps = Directory.GetFiles(UserDumps, "*.dmp").Length;
        string show = machine.WerRun("localdumps", "show").Output;
        Assert.InRange(dumps, 1, 5);
        // The count is of the lines still in the kernel's ring buffer, which a busy test run rolls over (every
        // segfault is logged too), so it is held to what dmesg reads from the same buffer at the same moment.
        int dmesg = Tool.Run("dmesg", []).Output.Split('\n').Count(l => l.Contains("over core_pipe_limit", StringComparison.Ordinal));
        Assert.True(DroppedCount(show) >= 1, show);
        Assert.Equal(dmesg, DroppedCount(show));
        string newest = show.Split('\n').Single(l => l.StartsWith("kernel:", StringComparison.Ordinal) && l.Contains("core_pipe_limit", StringComparison.Ordinal));
        Assert.Contains("over core_pipe_limit", newest);
        Assert.Contains(pids, p => newest.Contains($"{p}(crasher)", StringComparison.Ordinal));

        var asUser = _user.Run(machine.Wer, "localdumps", "show");
        Assert.Contains("kernel: cannot read the kernel log", asUser.Output);
    }

    private static int DroppedCount(string show)
    {
        var m = Regex.Match(show, @"^kernel: (\d+) crash\(es\) dropped over kernel\.core_pipe_limit", RegexOptions.Multiline);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
