namespace OpenWer.Analysis.Crash;

/// <summary>
/// si_code names and meanings (asm-generic/siginfo.h): the generic codes a sender sets (SI_USER, SI_TKILL...) and
/// the per-signal codes the kernel sets for a fault.
/// </summary>
public static class SignalCodes
{
    public const int SiUser = 0, SiKernel = 0x80, SiQueue = -1, SiTkill = -6;
    public const int SegvMaperr = 1, SegvAccerr = 2;

    public static (string Name, string Meaning)? Describe(uint signal, int code) => code <= 0 || code == SiKernel ? Generic(code) : (signal, code) switch
    {
        (SignalNames.Sigill, 1) => ("ILL_ILLOPC", "illegal opcode"),
        (SignalNames.Sigill, 2) => ("ILL_ILLOPN", "illegal operand"),
        (SignalNames.Sigill, 3) => ("ILL_ILLADR", "illegal addressing mode"),
        (SignalNames.Sigill, 4) => ("ILL_ILLTRP", "illegal trap"),
        (SignalNames.Sigill, 5) => ("ILL_PRVOPC", "privileged opcode"),
        (SignalNames.Sigill, 6) => ("ILL_PRVREG", "privileged register"),
        (SignalNames.Sigill, 7) => ("ILL_COPROC", "coprocessor error"),
        (SignalNames.Sigill, 8) => ("ILL_BADSTK", "internal stack error"),
        (SignalNames.Sigill, 9) => ("ILL_BADIADDR", "unimplemented instruction address"),
        (SignalNames.Sigfpe, 1) => ("FPE_INTDIV", "integer divide by zero"),
        (SignalNames.Sigfpe, 2) => ("FPE_INTOVF", "integer overflow"),
        (SignalNames.Sigfpe, 3) => ("FPE_FLTDIV", "floating-point divide by zero"),
        (SignalNames.Sigfpe, 4) => ("FPE_FLTOVF", "floating-point overflow"),
        (SignalNames.Sigfpe, 5) => ("FPE_FLTUND", "floating-point underflow"),
        (SignalNames.Sigfpe, 6) => ("FPE_FLTRES", "floating-point inexact result"),
        (SignalNames.Sigfpe, 7) => ("FPE_FLTINV", "invalid floating-point operation"),
        (SignalNames.Sigfpe, 8) => ("FPE_FLTSUB", "subscript out of range"),
        (SignalNames.Sigsegv, 1) => ("SEGV_MAPERR", "address not mapped"),
        (SignalNames.Sigsegv, 2) => ("SEGV_ACCERR", "invalid permissions for a mapped address"),
        (SignalNames.Sigsegv, 3) => ("SEGV_BNDERR", "failed address bound checks"),
        (SignalNames.Sigsegv, 4) => ("SEGV_PKUERR", "access denied by memory protection keys"),
        (SignalNames.Sigsegv, 8) => ("SEGV_MTEAERR", "asynchronous memory tagging fault"),
        (SignalNames.Sigsegv, 9) => ("SEGV_MTESERR", "synchronous memory tagging fault"),
        (SignalNames.Sigsegv, 10) => ("SEGV_CPERR", "control protection fault (shadow stack)"),
        (SignalNames.Sigbus, 1) => ("BUS_ADRALN", "invalid address alignment"),
        (SignalNames.Sigbus, 2) => ("BUS_ADRERR", "nonexistent physical address (e.g. past the end of a mapped file)"),
        (SignalNames.Sigbus, 3) => ("BUS_OBJERR", "object-specific hardware error"),
        (SignalNames.Sigbus, 4) => ("BUS_MCEERR_AR", "hardware memory error consumed"),
        (SignalNames.Sigbus, 5) => ("BUS_MCEERR_AO", "hardware memory error detected"),
        (SignalNames.Sigtrap, 1) => ("TRAP_BRKPT", "breakpoint"),
        (SignalNames.Sigtrap, 2) => ("TRAP_TRACE", "trace trap"),
        (SignalNames.Sigtrap, 3) => ("TRAP_BRANCH", "taken branch trap"),
        (SignalNames.Sigtrap, 4) => ("TRAP_HWBKPT", "hardware breakpoint or watchpoint"),
        (SignalNames.Sigsys, 1) => ("SYS_SECCOMP", "system call denied by seccomp"),
        _ => null,
    };

    private static (string, string)? Generic(int code) => code switch
    {
        SiUser => ("SI_USER", "sent by kill() or raise()"),
        SiKernel => ("SI_KERNEL", "sent by the kernel"),
        SiQueue => ("SI_QUEUE", "sent by sigqueue()"),
        -2 => ("SI_TIMER", "a POSIX timer expired"),
        -3 => ("SI_MESGQ", "a message queue state changed"),
        -4 => ("SI_ASYNCIO", "asynchronous I/O completed"),
        -5 => ("SI_SIGIO", "queued SIGIO"),
        SiTkill => ("SI_TKILL", "sent by tkill() or tgkill()"),
        _ => null,
    };
}
