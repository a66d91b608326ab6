using OpenWer.Analysis.Memory;
using OpenWer.Analysis.Walking;
using OpenWer.Format.Streams;

namespace OpenWer.Analysis.Crash;

/// <summary>
/// Turns the exception stream, the crashing thread's registers, the faulting instruction and the memory map into a
/// reason in words, saying only what those facts show.
/// </summary>
public static class CrashClassifier
{
    /// <summary>The null page: vm.mmap_min_addr's default (64 KiB) is never mapped, so an access there is a null pointer plus an offset.</summary>
    public const ulong NullPageEnd = 0x10000;
    /// <summary>How far below its mapping a stack may grow before the kernel refuses (stack_guard_gap, 256 pages), plus a page of slack.</summary>
    public const ulong StackGuardGap = (256 + 1) * 4096UL;

    public static CrashInfo Classify(ExceptionStream e, RegisterSet? registers, FaultingInstruction? instruction, MemoryMap map)
    {
        int code = unchecked((int)e.ExceptionFlags);
        if (e.ExceptionCode == ExceptionStream.DumpRequested)
            return new(e.ThreadId, e.ExceptionCode, 0, 0, CrashReasonKind.DumpRequested, "the dump was requested; the process did not crash");
        var (kind, text) = Explain(e.ExceptionCode, code, e.ExceptionAddress, registers, instruction, map);
        string codeText = SignalCodes.Describe(e.ExceptionCode, code) is { } c ? $"{c.Name}: {c.Meaning}" : $"si_code {code}";
        return new(e.ThreadId, e.ExceptionCode, code, e.ExceptionAddress, kind, $"{text} ({SignalNames.NameOf(e.ExceptionCode)}, {codeText})");
    }

    private static (CrashReasonKind, string) Explain(uint signal, int code, ulong address, RegisterSet? registers, FaultingInstruction? instruction, MemoryMap map)
    {
        ulong pc = registers?.Pc ?? 0, sp = registers?.Sp ?? 0;
        string access = instruction is null ? "access" : instruction.WritesMemory ? "write" : "read";
        bool sent = code is SignalCodes.SiUser or SignalCodes.SiTkill or SignalCodes.SiQueue;
        switch (signal)
        {
            case SignalNames.Sigabrt when sent:
                return (CrashReasonKind.Abort, "abort(): the process sent itself SIGABRT (an abort() call or a failed assertion)");
            case SignalNames.Sigsegv when code == SignalCodes.SiKernel:
                if (instruction?.MemoryAddress is { } target && !IsCanonical(target))
                    return (CrashReasonKind.NonCanonicalAddress, $"{access} at the non-canonical address 0x{target:x} by `{instruction.Text}`");
                return (CrashReasonKind.Unknown, "a general protection fault: a non-canonical address or a privileged instruction" +
                    (instruction is null ? "" : $" (`{instruction.Text}`)"));
            case SignalNames.Sigsegv or SignalNames.Sigbus when !sent:
                if (address < NullPageEnd && address == pc)
                    return (CrashReasonKind.NullFunctionCall, $"a call or jump to 0x{address:x}: a null function pointer");
                if (address < NullPageEnd)
                    return (CrashReasonKind.NullPointer, $"null-pointer {access} at offset 0x{address:x}");
                if (IsStackOverflow(address, sp, map))
                    return (CrashReasonKind.StackOverflow, $"stack overflow: the fault at 0x{address:x} is in the guard below the stack (stack pointer 0x{sp:x})");
                var region = map.Find(address);
                if (address == pc && region is { Execute: false })
                    return (CrashReasonKind.ExecuteNonExecutable, $"execution of the non-executable page at 0x{address:x} ({Describe(region)})");
                if (code == SignalCodes.SegvAccerr && region is { Write: false } && instruction?.WritesMemory != false)
                    return (CrashReasonKind.WriteToReadOnlyMemory, $"write to read-only memory at 0x{address:x} ({Describe(region)})");
                if (signal == SignalNames.Sigsegv && code == SignalCodes.SegvMaperr)
                    return (CrashReasonKind.UnmappedAddress, $"{access} at 0x{address:x}, which no mapping holds");
                return (CrashReasonKind.Unknown, $"bad {access} at 0x{address:x}");
            case SignalNames.Sigfpe when code == 1:
                return (CrashReasonKind.DivideByZero, "integer division by zero");
            case SignalNames.Sigill when !sent:
                return (CrashReasonKind.IllegalInstruction, $"illegal instruction at 0x{address:x}" + (instruction is null ? "" : $" (`{instruction.Text}`)"));
        }
        return sent
            ? (CrashReasonKind.SentSignal, $"{SignalNames.NameOf(signal)} sent by kill(), raise() or tgkill()")
            : (CrashReasonKind.Unknown, $"{SignalNames.NameOf(signal)} at 0x{address:x}");
    }

    /// <summary>x86_64 with 48-bit virtual addresses: bits 63..47 all equal. (57-bit addressing widens this; a 48-bit fault is still non-canonical there only above bit 56.)</summary>
    private static bool IsCanonical(ulong address) => (address >> 47) is 0 or 0x1FFFF;

    /// <summary>
    /// The fault lies below the crashing thread's stack mapping (the one holding its stack pointer, or just above it)
    /// within the guard gap, in no accessible mapping: the stack grew into its guard.
    /// </summary>
    private static bool IsStackOverflow(ulong address, ulong sp, MemoryMap map)
    {
        if (sp == 0)
            return false;
        var stack = map.Find(sp) is { Read: true, Write: true } r ? r : map.NextAbove(sp) is { Read: true, Write: true } above && above.Start - sp < StackGuardGap ? above : null;
        if (stack is null)
            // No map: a fault just below the stack pointer is the best sign there is.
            return map.Regions.Count == 0 && address < sp + 4096 && sp - address < 64 * 1024;
        bool inGuard = map.Find(address) is not { } at || !at.IsAccessible;
        return inGuard && address < stack.Start && stack.Start - address <= StackGuardGap;
    }

    private static string Describe(MappedRegion r) =>
        $"{(r.Read ? 'r' : '-')}{(r.Write ? 'w' : '-')}{(r.Execute ? 'x' : '-')} mapping 0x{r.Start:x}-0x{r.End:x}{(r.Path.Length > 0 ? " " + r.Path : "")}";
}
