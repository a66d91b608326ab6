namespace OpenWer.Analysis.Crash;

/// <summary>What the facts of a dump say went wrong, where they allow saying it.</summary>
public enum CrashReasonKind
{
    /// <summary>The facts fit none of the known cases; the signal and code are all there is.</summary>
    Unknown,
    /// <summary>The dump was requested (wer dump, a trigger), not taken at a crash.</summary>
    DumpRequested,
    /// <summary>An access to the first 64 KiB (never mapped: vm.mmap_min_addr), a null pointer plus an offset.</summary>
    NullPointer,
    /// <summary>A jump or call to an address in the null page: a call through a null function pointer.</summary>
    NullFunctionCall,
    /// <summary>An address outside the canonical x86_64 range (a general protection fault, si_addr 0).</summary>
    NonCanonicalAddress,
    /// <summary>A fault at the crashing thread's stack guard: the stack grew past its limit.</summary>
    StackOverflow,
    /// <summary>A write to a mapping that is not writable.</summary>
    WriteToReadOnlyMemory,
    /// <summary>The pc is in a mapping that is not executable.</summary>
    ExecuteNonExecutable,
    /// <summary>An access to an address no mapping holds.</summary>
    UnmappedAddress,
    /// <summary>SIGABRT the process sent itself: abort(), an assertion.</summary>
    Abort,
    /// <summary>Integer division by zero.</summary>
    DivideByZero,
    /// <summary>An illegal or undefined instruction (ud2, __builtin_trap()).</summary>
    IllegalInstruction,
    /// <summary>A signal another process (or the process itself) sent with kill().</summary>
    SentSignal,
}
