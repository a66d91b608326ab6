using System.Diagnostics;
using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// Crashes of one executable at the same moment, under a rate limit they stay within: each must get its dump
/// and its own log line (the rate-limit state and the log are shared by handlers running at once).
/// </summary>
[Collection("core_pattern")]
public sealed class SimultaneousCrashTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(machine.Dir.Path, Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => machine.Reset();

    [Theory]
    [InlineData(5, "pipe")]
    [InlineData(20, "pipe")]
    [InlineData(20, "socket")]
    public void SimultaneousCrashesWithinTheRateLimitEachGetADumpAndALogLine(int crashes, string collection)
    {
        machine.Settings($"[OpenWer]\nCrashRateLimit={crashes + 5}\nCrashRateWindow=600\n[LocalDumps]\nDumpFolder={_folder}\nDumpCount={crashes + 5}\n");
        machine.Enable(collection);
        // Past core_pipe_limit (16 after enable) the kernel drops crashes before any handler runs; the fixture restores it.
        File.WriteAllText("/proc/sys/kernel/core_pipe_limit", (crashes + 8).ToString(CultureInfo.InvariantCulture));
        long log = MachineWideFixture.LogLength;
        var pids = SimultaneousCrashes.Run(Crasher.Path_, crashes);

        var dumps = Directory.GetFiles(_folder, "*.dmp");
        Assert.Equal(pids.Select(p => $"crasher.{p}.dmp").Order(), dumps.Select(Path.GetFileName).Order());
        var lines = machine.LogSince(log).Split('\n');
        foreach (int pid in pids)
        {
            // One outcome line each (a line about passing the core on to a previous handler may follow it).
            var own = lines.Where(l => l.Contains($"pid {pid} (", StringComparison.Ordinal)).ToList();
            Assert.Single(own, l => l.Contains(": dump written to ", StringComparison.Ordinal));
            Assert.DoesNotContain(own, l => l.Contains(": no dump: ", StringComparison.Ordinal));
        }
    }
}

/// <summary>Starts processes that wait, then crashes them all with one kill(1), and waits for each to end.</summary>
public static class SimultaneousCrashes
{
    public static List<int> Run(string program, int count, string[]? setprivAs = null)
    {
        var processes = new List<Process>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var psi = setprivAs is null
                    ? new ProcessStartInfo(program, ["wait"])
                    : new ProcessStartInfo("setpriv", [.. setprivAs, program, "wait"]);
                psi.RedirectStandardOutput = true;
                var p = Process.Start(psi)!;
                processes.Add(p);
                Assert.StartsWith("READY", p.StandardOutput.ReadLine());
            }
            var r = Tool.Run("kill", ["-SEGV", .. processes.Select(p => p.Id.ToString(CultureInfo.InvariantCulture))]);
            Assert.True(r.ExitCode == 0, r.All);
            foreach (var p in processes)
                Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), $"pid {p.Id} did not end");
            // The kernel reaps a crashed process only after its pipe handler exits (core_pipe_limit > 0); a moment for slack.
            Thread.Sleep(300);
            return processes.Select(p => p.Id).ToList();
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
        }
    }
}
