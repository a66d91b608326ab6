namespace OpenWer.Cli;

/// <summary>The `wer` command's exit codes, documented in README.md.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int NoSuchProcess = 3;
    public const int PermissionDenied = 4;
    public const int ProcessExited = 5;
    public const int OutputError = 6;
}
