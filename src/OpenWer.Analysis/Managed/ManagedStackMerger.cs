using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Managed;

/// <summary>
/// Interleaves a thread's managed frames with its native walk. A stack grows down, so the frames of one thread, innermost
/// first, have rising stack pointers: the two lists are merged by stack pointer. A native frame whose pc is managed
/// code (JIT code lies in no module, so the native walk knows no name for it) is dropped: the managed frame at that
/// place tells it.
/// </summary>
public static class ManagedStackMerger
{
    public static CallStack Merge(CallStack native, IReadOnlyList<ManagedFrame> managed, Func<ulong, bool> isManagedCode)
    {
        // Without a native walk (an architecture the walker does not support yet) there is nothing to merge into.
        if (managed.Count == 0 || native.Frames.Count == 0)
            return native;
        var kept = native.Frames.Where(f => f.Module is not null || !isManagedCode(f.LookupAddress)).ToList();
        var merged = new List<StackFrame>(kept.Count + managed.Count);
        int n = 0, m = 0;
        while (n < kept.Count || m < managed.Count)
        {
            bool takeNative = m == managed.Count || (n < kept.Count && kept[n].Registers.Sp <= managed[m].StackPointer);
            merged.Add(takeNative ? Renumbered(kept[n++], merged.Count) : FromManaged(managed[m++], merged.Count, native));
        }
        return new CallStack(merged, native.StopReason);
    }

    private static StackFrame Renumbered(StackFrame f, int index) => f.Index == index ? f : new StackFrame
    {
        Index = index,
        Address = f.Address,
        Trust = f.Trust,
        Registers = f.Registers,
        IsExactPc = f.IsExactPc,
        Module = f.Module,
        Function = f.Function,
        FunctionOffset = f.FunctionOffset,
        Managed = f.Managed,
    };

    private static StackFrame FromManaged(ManagedFrame frame, int index, CallStack native)
    {
        var architecture = native.Frames[0].Registers.Architecture;
        var registers = new RegisterSet(architecture)
        {
            [architecture.PcRegister] = frame.InstructionPointer,
            [architecture.SpRegister] = frame.StackPointer,
        };
        return new StackFrame
        {
            Index = index,
            Address = frame.InstructionPointer,
            Trust = FrameTrust.Managed,
            Registers = registers,
            // The runtime's innermost frame of a thread stopped in managed code is its context: the pc itself.
            IsExactPc = index == 0,
            Function = frame.Method,
            FunctionOffset = frame.MethodStart != 0 && frame.InstructionPointer >= frame.MethodStart ? frame.InstructionPointer - frame.MethodStart : 0,
            Managed = frame,
        };
    }
}
