namespace OpenWer.Capture.Live;

/// <summary>What to capture of a live process beyond the always-read state.</summary>
/// <param name="RequestingThreadId">The thread the dump is taken for (the exception thread of a requested dump); null: the main thread.</param>
/// <param name="WithAvxState">Also read the XSAVE area for the upper halves of YMM registers.</param>
/// <param name="Exception">The exception to record instead of "dump requested" (a crash reported through the API).</param>
public sealed record LiveCaptureOptions(int? RequestingThreadId = null, bool WithAvxState = false, Snapshot.ExceptionSnapshot? Exception = null);
