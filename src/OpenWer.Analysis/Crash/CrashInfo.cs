namespace OpenWer.Analysis.Crash;

/// <summary>
/// Why the dump exists: the signal (Linux dumps: ExceptionCode = signal number, ExceptionFlags = si_code,
/// ExceptionAddress = si_addr; 0xFFFFFFFF for a requested dump), the thread, and the reason in words.
/// </summary>
public sealed record CrashInfo(uint ThreadId, uint Signal, int Code, ulong Address, CrashReasonKind Reason, string Description)
{
    public bool IsRequested => Reason == CrashReasonKind.DumpRequested;

    public string SignalName => IsRequested ? "DUMP_REQUESTED" : SignalNames.NameOf(Signal);

    public string? CodeName => IsRequested ? null : SignalCodes.Describe(Signal, Code)?.Name;

    /// <summary>rust-minidump's crash_info.type for Linux: "SIGSEGV / SEGV_MAPERR".</summary>
    public string Type => CodeName is { } code ? $"{SignalName} / {code}" : SignalName;
}
