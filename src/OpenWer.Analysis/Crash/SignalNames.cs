namespace OpenWer.Analysis.Crash;

/// <summary>Linux signal numbers (asm-generic/signal.h; the same on x86_64 and arm64) and their names.</summary>
public static class SignalNames
{
    public const int Sigill = 4, Sigtrap = 5, Sigabrt = 6, Sigbus = 7, Sigfpe = 8, Sigsegv = 11, Sigsys = 31;

    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
        "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
        "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    public static string NameOf(uint signal) => signal is > 0 and < 32 ? Names[signal] : signal is >= 32 and <= 64 ? $"SIGRT{signal - 32}" : $"signal {signal}";
}
