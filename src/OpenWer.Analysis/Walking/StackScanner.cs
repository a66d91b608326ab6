namespace OpenWer.Analysis.Walking;

/// <summary>
/// Searches the stack above the callee's stack pointer for the first word that is a return address (into a
/// module's executable code, just after a call). The last resort: a stale return address left by an earlier call
/// passes the same check, so these frames are marked "scan".
/// </summary>
public sealed class StackScanner(Cfi.CfiUnwinder? cfi = null) : IUnwinder
{
    public UnwoundCaller? Unwind(StackFrame callee, WalkContext context)
    {
        var arch = context.Architecture;
        ulong sp = callee.Registers.Sp;
        ulong word = (ulong)arch.PointerSize;
        for (int i = 0; i < context.Limits.MaxScanWords; i++)
        {
            ulong at = sp + (ulong)i * word;
            if (at < sp)
                return null;
            // After a stack overflow the stack pointer lies in the guard, which no dump holds: the frames start above it.
            if (!context.TryReadPointer(at, out ulong value))
                continue;
            // A signal handler's return address is libc's sigreturn trampoline, which no call precedes.
            if (!context.IsReturnAddress(value) && cfi?.IsSignalTrampoline(value, context) != true)
                continue;
            // A context frame whose pc is not code called a bad address: nothing ran since the call, so the
            // callee-saved registers are still the caller's. Otherwise only the frame pointer may still be.
            bool nothingRan = callee.Trust == FrameTrust.Context && i == 0 && !context.IsExecutableCode(callee.Registers.Pc);
            var caller = nothingRan ? callee.Registers.CalleeSaved() : new RegisterSet(arch) { [arch.FpRegister] = callee.Registers.Fp };
            caller[arch.PcRegister] = value;
            caller[arch.SpRegister] = at + word;
            return new UnwoundCaller(caller, FrameTrust.Scan);
        }
        return null;
    }
}
