namespace OpenWer.Reporting.Upload;

/// <summary>An upload ended in one of these, and nothing else (Crashpad's rule): sent, throttled, to retry later, or refused for good.</summary>
public enum UploadStatus { Uploaded, Throttled, Retry, Rejected }

public sealed record UploadOutcome(UploadStatus Status, string? BucketId = null, string? Error = null, string? SentDump = null);
