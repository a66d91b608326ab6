namespace OpenWer.Snapshot;

/// <summary>Why the dump was taken: a signal (code = signal number, flags = si_code, address = si_addr) or a request (0xFFFFFFFF).</summary>
public sealed record ExceptionSnapshot(int ThreadId, uint Code, uint Flags, ulong Address, ulong[] Parameters)
{
    public const uint DumpRequested = 0xFFFFFFFF;

    /// <summary>A fatal signal: si_addr is kept for the signals that fault at an address (ILL, TRAP, BUS, FPE, SEGV; Crashpad's rule).</summary>
    public static ExceptionSnapshot ForSignal(int threadId, int signal, int siCode, ulong siAddress) =>
        new(threadId, (uint)signal, (uint)siCode, signal is 4 or 5 or 7 or 8 or 11 ? siAddress : 0, []);
}
