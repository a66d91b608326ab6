using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.MachineWide;
using OpenWer.LocalDumps.MachineWide.Service;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// The coredump service on the kernel's coredump socket, with the real core_pattern: it serves only while it runs,
/// hands crashes back to the pipe handler when it stops, keeps users to their share, serves only the kernel, and runs
/// with the bounds it claims (not dumpable, no new privileges, workers without the capabilities they do not need).
/// </summary>
[Collection("core_pattern")]
public sealed class CoredumpServiceTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly TestUser _user = new();
    private static readonly string PatternFile = "/proc/sys/kernel/core_pattern";

    public void Dispose()
    {
        File.Delete(HandlerPausePoint.ControlFile);
        machine.Reset();
        _user.Dispose();
    }

    private static string CurrentPattern => File.ReadAllText(PatternFile).TrimEnd('\n');

    // The machines this runs on have Linux 6.17 or later, as the pipe handler's %F (6.16) needs too.
    private static void RequireSocket() => Assert.True(CoredumpService.KernelHasSocket(), "this kernel has no coredump socket with its request protocol (Linux 6.17)");

    private static int ServicePid() => Assert.IsType<int>(CoredumpServiceControl.Running());

    [Fact]
    public void TheServiceServesWhileItRunsAndHandsCrashesBackToThePipeHandlerWhenStopped()
    {
        RequireSocket();
        machine.Settings("[LocalDumps]\n");
        machine.Enable("socket");
        int service = ServicePid();
        long log = MachineWideFixture.LogLength;

        Assert.Equal(139, _user.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => _user.Dumps().Length == 1, "the dump written by the service");
        // The kernel's own view of the dump: the crashing user's file, of the signal it died of.
        string dump = _user.Dumps()[0];
        Assert.Equal(_user.Uid.ToString(CultureInfo.InvariantCulture), Tool.Run("stat", ["-c", "%u", dump]).Output.Trim());
        Assert.Contains("stop reason = signal SIGSEGV", Lldb.Run(dump, "thread list"));
        Assert.Equal(service, ServicePid());
        Assert.Contains($"collection: the coredump service (pid {service})", Tool.Run(machine.Wer, ["localdumps", "show"]).Output);

        // Stopped, it hands back first: the next crash goes to the pipe handler and is still collected.
        Tool.Run("kill", ["-TERM", service.ToString(CultureInfo.InvariantCulture)]);
        Eventually.True(() => CoredumpServiceControl.Running() is null, "the service to stop");
        Assert.StartsWith($"|{HandlerInstallation.InstalledPath} localdumps handle", CurrentPattern);
        Assert.False(File.Exists(CoredumpService.SocketPath));
        Assert.Equal(139, _user.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => _user.Dumps().Length == 2, "the dump written by the pipe handler");
        Assert.Contains("collection: the pipe handler", Tool.Run(machine.Wer, ["localdumps", "show"]).Output);
        Assert.Contains($"coredump service: pid {service} stopped", machine.LogSince(log));
    }

    [Fact]
    public void TheServiceGainsNoPrivilegesAndItsWorkersHoldOnlyWhatTheyNeed()
    {
        RequireSocket();
        machine.Settings("[LocalDumps]\n");
        // Whatever the environment of whoever runs enable, the service gets none of it.
        Environment.SetEnvironmentVariable("OPENWER_TEST_LEAK", "1");
        try
        {
            machine.Enable("socket");
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENWER_TEST_LEAK", null);
        }
        int service = ServicePid();
        Assert.Equal(["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], File.ReadAllText($"/proc/{service}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries));
        string status = File.ReadAllText($"/proc/{service}/status");
        Assert.Matches(@"NoNewPrivs:\s+1", status);
        var workers = Directory.GetDirectories($"/proc/{service}/task")
            .Where(t => File.ReadAllText(Path.Combine(t, "comm")).StartsWith("coredump worke", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(workers);
        foreach (var t in workers)
        {
            ulong effective = ulong.Parse(Regex.Match(File.ReadAllText(Path.Combine(t, "status")), @"CapEff:\s+([0-9a-f]+)").Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong permitted = ulong.Parse(Regex.Match(File.ReadAllText(Path.Combine(t, "status")), @"CapPrm:\s+([0-9a-f]+)").Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Equal(0ul, permitted & (1ul << 24)); // CAP_SYS_RESOURCE: the root reserve, quotas
            Assert.Equal(0ul, permitted & (1ul << 16)); // CAP_SYS_MODULE
            Assert.Equal(0ul, permitted & (1ul << 12)); // CAP_NET_ADMIN
            Assert.Equal(0ul, effective & ~permitted);
        }
        // The crash is still collected with those rights: a user's file, modules with build-ids (read through map_files).
        Assert.Equal(139, _user.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => _user.Dumps().Length == 1, "the dump");
        using var reader = OpenWer.Format.Reading.MinidumpReader.Open(_user.Dumps()[0]);
        var crasher = Assert.Single(reader.ReadModules(), m => m.Name.EndsWith("/crasher", StringComparison.Ordinal));
        Assert.Equal(ReadElf.BuildId(Crasher.Path_), Convert.ToHexStringLower(crasher.BuildId!));
    }

    [Fact]
    public void AKilledServiceIsReportedAndEnableBringsItBack()
    {
        RequireSocket();
        machine.Settings("[LocalDumps]\n");
        machine.Enable("socket");
        int service = ServicePid();
        // SIGKILL leaves it no chance to hand back: show must say that crashes are lost, and enable must repair it.
        Tool.Run("kill", ["-KILL", service.ToString(CultureInfo.InvariantCulture)]);
        Eventually.True(() => CoredumpServiceControl.Running() is null, "the service to die");
        Assert.Equal(CoredumpService.Pattern, CurrentPattern);
        Assert.Contains("collection: NONE", Tool.Run(machine.Wer, ["localdumps", "show"]).Output);
        // A crash meanwhile is lost (the kernel finds no one on the socket); show counts it from the kernel's log.
        int before = SocketFailures();
        Assert.Equal(139, _user.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => SocketFailures() == before + 1, "show to count the crash the kernel could not hand over");
        Assert.Empty(_user.Dumps());
        machine.Enable("socket");
        Assert.NotEqual(service, ServicePid());
        Assert.Equal(139, _user.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => _user.Dumps().Length == 1, "the dump after enable");
    }

    private int SocketFailures()
    {
        var m = Regex.Match(Tool.Run(machine.Wer, ["localdumps", "show"]).Output, @"kernel: (\d+) crash\(es\) found no one serving the coredump socket");
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public void AConnectionThatIsNotTheKernelsIsNotServed()
    {
        RequireSocket();
        machine.Settings("[LocalDumps]\n");
        machine.Enable("socket");
        long log = MachineWideFixture.LogLength;
        // Root (the test) connects and pretends: it is not a process dumping core, so it gets nothing and holds nothing.
        using (var fake = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            fake.Connect(new UnixDomainSocketEndPoint(CoredumpService.SocketPath));
            fake.ReceiveTimeout = 5000;
            var buffer = new byte[64];
            Assert.Equal(0, fake.Receive(buffer)); // closed on it, no request answered
        }
        Eventually.True(() => machine.LogSince(log).Contains("is not dumping core", StringComparison.Ordinal), "the refusal in the log");
        Assert.Equal(139, _user.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => _user.Dumps().Length == 1, "the next real crash's dump");
    }

    [Fact]
    public void OneUsersCrashesWaitTheirTurnWhileOtherUsersAreCollectedAtOnce()
    {
        RequireSocket();
        using var other = new TestUser();
        machine.Settings("[OpenWer]\nCrashRateLimit=0\nMaxHandlersPerUser=2\n[LocalDumps]\n");
        machine.Enable("socket");
        Directory.CreateDirectory("/run/openwer");
        foreach (var stale in Directory.GetFiles("/run/openwer", "test-paused.*"))
            File.Delete(stale);
        File.WriteAllText(HandlerPausePoint.ControlFile, $"started {_user.Uid}\n");
        var crashes = Enumerable.Range(0, 6).Select(_ => Process.Start(new ProcessStartInfo("setpriv", _user.As(Crasher.Path_, "segv")) { UseShellExecute = false })!).ToList();
        Eventually.True(() => Directory.GetFiles("/run/openwer", "test-paused.started.*").Length == 2, "two of the user's crashes at work");
        Thread.Sleep(500);
        Assert.Equal(2, Directory.GetFiles("/run/openwer", "test-paused.started.*").Length); // the other four wait their turn

        Assert.NotEqual(0, other.Run(Crasher.Path_, "segv").ExitCode);
        Eventually.True(() => other.Dumps().Length == 1, "the other user's dump");

        File.Delete(HandlerPausePoint.ControlFile);
        foreach (var c in crashes)
            Assert.True(c.WaitForExit(30_000));
        Eventually.True(() => _user.Dumps().Length == 6, "all six of the user's dumps: waiting is not losing");
    }

    [Fact]
    public void AutoKeepsThePipeWhenAPreviousPipeHandlerIsToGetTheCores()
    {
        RequireSocket();
        File.WriteAllText(PatternFile, "|/bin/true %p");
        machine.Enable("auto");
        Assert.StartsWith($"|{HandlerInstallation.InstalledPath} localdumps handle", CurrentPattern);
        Assert.Null(CoredumpServiceControl.Running());
        var r = machine.WerRun("localdumps", "enable", "--mode", "socket");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("cannot give each core to the previous pipe handler", r.All);
        Assert.StartsWith($"|{HandlerInstallation.InstalledPath} localdumps handle", CurrentPattern);
        machine.Disable();
        Assert.Equal("|/bin/true %p", CurrentPattern);

        // With no pipe handler before it, auto takes the socket.
        File.WriteAllText(PatternFile, "core");
        machine.Enable("auto");
        Assert.Equal(CoredumpService.Pattern, CurrentPattern);
        machine.Disable();
        Assert.Equal("core", CurrentPattern);
    }
}
