namespace OpenWer.Capture.Supervision;

/// <summary>How a supervised process ended: an exit code, or the signal that killed it.</summary>
public readonly record struct ProcessOutcome(int? ExitCode, int? Signal)
{
    /// <summary>What a shell reports for it: the exit code, or 128 + the signal.</summary>
    public int ShellStatus => ExitCode ?? 128 + (Signal ?? 0);
}
