namespace OpenWer.Capture.Snapshot;

/// <summary>Why the dump was taken: a signal (code = signal number, flags = si_code, address = si_addr) or a request (0xFFFFFFFF).</summary>
public sealed record ExceptionSnapshot(int ThreadId, uint Code, uint Flags, ulong Address, ulong[] Parameters)
{
    public const uint DumpRequested = 0xFFFFFFFF;
}
