using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// Machine-wide collection for real: the published (Native AOT) wer registered in kernel.core_pattern. Everything
/// the tests touch (core_pattern, core_pipe_limit, /etc/openwer, the sysctl.d file, the rate-limit state) is
/// saved first and restored on dispose, whether the tests passed or not.
/// </summary>
public sealed class MachineWideFixture : IDisposable
{
    public const string SettingsPath = "/etc/openwer/localdumps.ini";
    private const string Pattern = "/proc/sys/kernel/core_pattern", PipeLimit = "/proc/sys/kernel/core_pipe_limit";
    private static readonly string[] SavedFiles = [SettingsPath, "/etc/openwer/previous-core-pattern", "/etc/sysctl.d/50-openwer-localdumps.conf",
        OpenWer.LocalDumps.MachineWide.HandlerInstallation.InstalledPath];
    // Taken first (field initializers run in order): the state saved below is then nobody else's test state.
    private readonly CorePatternLock _lock = CorePatternLock.Take();
    private readonly string _pattern = File.ReadAllText(Pattern).TrimEnd('\n');
    private readonly string _pipeLimit = File.ReadAllText(PipeLimit).Trim();
    private readonly Dictionary<string, byte[]?> _files = SavedFiles.ToDictionary(f => f, f => File.Exists(f) ? File.ReadAllBytes(f) : null);
    // The folders `enable` and the settings create: removed again (when empty) if they were not there before.
    private readonly string[] _newFolders = [.. new[] { Path.GetDirectoryName(OpenWer.LocalDumps.MachineWide.HandlerInstallation.InstalledPath)!, "/etc/openwer" }
        .Where(d => !Directory.Exists(d))];

    public string Wer { get; } = Path.Combine(RepoPaths.Root, "artifacts/wer/wer");
    public TempDir Dir { get; } = new();

    public MachineWideFixture()
    {
        Assert.True(File.Exists(Wer), $"{Wer} is missing: the test command publishes it first (scripts/publish)");
        File.SetUnixFileMode(Dir.Path, (UnixFileMode)0x1ED); // 0755: other users' folders live below
    }

    public Tool.Result WerRun(params string[] args) => Tool.Run(Wer, args);

    /// <summary>Writes the machine-wide settings (root-owned, 0644) and clears the rate-limit state.</summary>
    public void Settings(string text)
    {
        Directory.CreateDirectory("/etc/openwer");
        File.WriteAllText(SettingsPath, text);
        File.SetUnixFileMode(SettingsPath, (UnixFileMode)0x1A4);
        if (Directory.Exists("/run/openwer/rate"))
            Directory.Delete("/run/openwer/rate", recursive: true);
        File.Delete("/run/openwer/crash-rate");
    }

    /// <summary>`wer localdumps enable --mode MODE`: "pipe" (a handler per crash), "socket" (the coredump service) or "auto".</summary>
    public void Enable(string mode = "pipe")
    {
        var r = WerRun("localdumps", "enable", "--mode", mode);
        Assert.True(r.ExitCode == 0, r.All);
        if (mode == "socket")
            Assert.Equal(OpenWer.LocalDumps.MachineWide.Service.CoredumpService.Pattern, File.ReadAllText(Pattern).TrimEnd('\n'));
    }

    public void Disable() => WerRun("localdumps", "disable");

    /// <summary>After a test: `wer localdumps disable`, then the pattern the fixture found, so a previous handler one test set up is not the next test's.</summary>
    public void Reset()
    {
        Disable();
        File.WriteAllText(Pattern, _pattern);
    }

    /// <summary>Crashes the crasher (as <paramref name="uid"/> if given) and waits for the handler to finish.</summary>
    public void Crash(string mode = "segv", int? uid = null)
    {
        var r = uid is int u
            ? Tool.Run("setpriv", [$"--reuid={u}", $"--regid={u}", "--clear-groups", Crasher.Path_, mode])
            : Tool.Run(Crasher.Path_, [mode]);
        Assert.NotEqual(0, r.ExitCode);
        // The kernel waits for the pipe handler before the crashed process is reaped; give the log a moment.
        Thread.Sleep(100);
    }

    public string LogSince(long offset)
    {
        const string log = "/var/log/openwer.log";
        if (!File.Exists(log)) return "";
        using var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Position = Math.Min(offset, f.Length);
        return new StreamReader(f).ReadToEnd();
    }

    public static long LogLength => File.Exists("/var/log/openwer.log") ? new FileInfo("/var/log/openwer.log").Length : 0;

    public void Dispose()
    {
        // A coredump service a failed test left running is stopped first (it would hand core_pattern back later).
        if (OpenWer.LocalDumps.MachineWide.Service.CoredumpServiceControl.Running() is { } service)
            Tool.Run("kill", ["-KILL", service.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            File.WriteAllText(Pattern, _pattern);
            File.WriteAllText(PipeLimit, _pipeLimit);
        }
        finally
        {
            foreach (var (path, bytes) in _files)
            {
                if (bytes is null) File.Delete(path);
                else File.WriteAllBytes(path, bytes);
            }
            foreach (var folder in _newFolders.Where(d => Directory.Exists(d) && !Directory.EnumerateFileSystemEntries(d).Any()))
                Directory.Delete(folder);
            Dir.Dispose();
            _lock.Dispose();
        }
    }
}
