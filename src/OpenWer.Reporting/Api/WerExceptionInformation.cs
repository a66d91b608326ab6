namespace OpenWer.Reporting.Api;

/// <summary>
/// WER_EXCEPTION_INFORMATION on Linux: the signal (ExceptionCode), si_code, the address, and the faulting thread.
/// Its context is the thread's context at the time the dump is taken.
/// </summary>
public sealed record WerExceptionInformation(int Signal, int SignalCode, ulong Address, int ThreadId);
