namespace OpenWer.Reporting.Api;

/// <summary>Where reports are kept and where they are sent.</summary>
/// <param name="StoreFolder">Holds queue/ and archive/ (and reports being built).</param>
/// <param name="Server">The collection server; null: reporting is disabled (reports are only queued or archived).</param>
/// <param name="MaxQueued">Queued reports kept; the oldest are removed beyond it.</param>
/// <param name="MaxArchived">Archived reports kept; the oldest are removed beyond it.</param>
public sealed record ReportingOptions(string StoreFolder, Uri? Server = null, int MaxQueued = 50, int MaxArchived = 100)
{
    /// <summary>Upload attempts per submission, and the first delay between them (doubled each time).</summary>
    public int UploadAttempts { get; init; } = 3;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The `wer` command that writes this process's own dumps (a process cannot ptrace itself).</summary>
    public string HelperPath { get; init; } = Environment.GetEnvironmentVariable("OPENWER_WER") is { Length: > 0 } w ? w : "wer";

    public static string DefaultStoreFolder =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } d ? d : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local/share"), "OpenWer/Reports");
}
