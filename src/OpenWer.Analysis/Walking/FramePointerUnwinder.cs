namespace OpenWer.Analysis.Walking;

/// <summary>
/// Follows the frame pointer chain: the caller's frame pointer and the return address are saved just above the
/// callee's frame pointer. Accepted only if the frame pointer lies above the stack pointer and the saved value is a
/// return address: code built without frame pointers leaves anything in that register.
/// </summary>
public sealed class FramePointerUnwinder : IUnwinder
{
    /// <summary>No frame is larger than this: a frame pointer further up is not this frame's.</summary>
    private const ulong MaxFrameSize = 1 << 20;

    public UnwoundCaller? Unwind(StackFrame callee, WalkContext context)
    {
        var arch = context.Architecture;
        if (callee.Registers.Fp is not { } fp || fp < callee.Registers.Sp || fp - callee.Registers.Sp > MaxFrameSize || fp % (ulong)arch.PointerSize != 0)
            return null;
        var (savedFpOffset, returnOffset, spOffset) = arch.FramePointerLayout;
        if (!context.TryReadPointer(fp + (ulong)savedFpOffset, out ulong savedFp) || !context.TryReadPointer(fp + (ulong)returnOffset, out ulong returnAddress))
            return null;
        if (!context.IsReturnAddress(returnAddress))
            return null;
        var caller = new RegisterSet(arch);
        caller[arch.PcRegister] = returnAddress;
        caller[arch.SpRegister] = fp + (ulong)spOffset;
        caller[arch.FpRegister] = savedFp;
        return new UnwoundCaller(caller, FrameTrust.FramePointer);
    }
}
