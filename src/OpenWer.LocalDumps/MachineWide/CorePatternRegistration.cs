namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Registers the crash handler in kernel.core_pattern (pipe form) and kernel.core_pipe_limit (non-zero, so the
/// crashed process stays readable in /proc while the handler runs), persists both in /etc/sysctl.d, and keeps
/// the previous values to give the core on to a previous pipe handler and to restore them on disable.
/// </summary>
public sealed class CorePatternRegistration(string procSys = "/proc/sys/kernel", string stateFolder = "/etc/openwer", string sysctlFolder = "/etc/sysctl.d")
{
    public const int PipeLimit = 16;
    /// <summary>The specifiers passed to the handler, in this order (a pattern holds at most 127 characters).</summary>
    public const string Specifiers = CrashHandlerArguments.Specifiers;

    private string PatternFile => Path.Combine(procSys, "core_pattern");
    private string PipeLimitFile => Path.Combine(procSys, "core_pipe_limit");
    private string PreviousFile => Path.Combine(stateFolder, "previous-core-pattern");
    private string SysctlFile => Path.Combine(sysctlFolder, "50-openwer-localdumps.conf");

    public string CurrentPattern => File.ReadAllText(PatternFile).TrimEnd('\n');

    public static string PatternFor(string handlerPath) => $"|{handlerPath} localdumps handle {Specifiers}";

    /// <summary>The pattern that was in force before ours, or null when we are not registered.</summary>
    public (string Pattern, string PipeLimit)? Previous =>
        File.Exists(PreviousFile) && File.ReadAllLines(PreviousFile) is { Length: >= 2 } l ? (l[0], l[1]) : null;

    public string Enable(string handlerPath)
    {
        string pattern = PatternFor(handlerPath);
        if (pattern.Length > 127)
            throw new InvalidOperationException($"the handler path is too long for core_pattern (127 characters): {pattern}");
        string current = CurrentPattern;
        if (current != pattern)
        {
            Directory.CreateDirectory(stateFolder);
            // Keep the first previous pattern, and never remember an OpenWer handler as the one to pass cores on to
            // (enabling twice, or again after /etc/openwer was lost): the kernel's default takes its place.
            if (!PreviousHandler.IsOurs(current))
                File.WriteAllLines(PreviousFile, [current, File.ReadAllText(PipeLimitFile).Trim()]);
            else if (Previous is null)
                File.WriteAllLines(PreviousFile, ["core", "0"]);
        }
        File.WriteAllText(PatternFile, pattern);
        File.WriteAllText(PipeLimitFile, PipeLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(sysctlFolder))
            File.WriteAllText(SysctlFile, $"# Written by `wer localdumps enable`; removed by `wer localdumps disable`.\nkernel.core_pattern = {pattern}\nkernel.core_pipe_limit = {PipeLimit}\n");
        return pattern;
    }

    /// <summary>
    /// The coredump service takes over: core_pattern becomes <paramref name="socketPattern"/> if it is one of our pipe
    /// patterns now (not persisted: after a reboot, or if the service dies, the pipe handler collects). Returns the
    /// pipe pattern it replaced, or null if core_pattern was not ours to replace.
    /// </summary>
    public string? UseSocket(string socketPattern)
    {
        string current = CurrentPattern;
        if (!current.StartsWith('|') || !PreviousHandler.IsOurs(current))
            return null;
        File.WriteAllText(PatternFile, socketPattern);
        return current;
    }

    /// <summary>The coredump service hands back: <paramref name="pipePattern"/> again, if core_pattern is still <paramref name="socketPattern"/>.</summary>
    public void UsePipe(string socketPattern, string pipePattern)
    {
        if (CurrentPattern == socketPattern)
            File.WriteAllText(PatternFile, pipePattern);
    }

    public string Disable()
    {
        if (Previous is not { } previous)
            throw new InvalidOperationException("LocalDumps collection is not enabled (no previous core_pattern recorded)");
        File.WriteAllText(PatternFile, previous.Pattern);
        File.WriteAllText(PipeLimitFile, previous.PipeLimit);
        File.Delete(SysctlFile);
        File.Delete(PreviousFile);
        return previous.Pattern;
    }
}
