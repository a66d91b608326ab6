namespace OpenWer.Analysis.Walking;

/// <summary>
/// Walks one thread's stack from its context: each caller by CFI, else the frame pointer, else a checked scan.
/// Every step must move the stack pointer up and land in a module's code, and the frames, reads and scan are
/// bounded: a walk over any input ends.
/// </summary>
public sealed class StackWalker(WalkContext context, IReadOnlyList<IUnwinder> unwinders)
{
    public CallStack Walk(RegisterSet registers)
    {
        var limits = context.Limits;
        long readsAtStart = context.Memory.Reads;
        var frames = new List<StackFrame> { Symbolize(new StackFrame { Index = 0, Address = registers.Pc, Trust = FrameTrust.Context, Registers = registers, IsExactPc = true }) };
        string stop = $"the frame limit ({limits.MaxFrames})";
        while (frames.Count < limits.MaxFrames)
        {
            if (context.Memory.Reads - readsAtStart > limits.MaxReads)
            {
                stop = $"the read limit ({limits.MaxReads})";
                break;
            }
            var callee = frames[^1];
            if (Step(callee) is not { } caller)
            {
                stop = "no unwinder found a caller";
                break;
            }
            ulong pc = caller.Registers.Pc, sp = caller.Registers.Sp;
            if (pc == 0)
            {
                stop = "the outermost frame (return address 0)";
                break;
            }
            if (sp <= callee.Registers.Sp)
            {
                stop = $"a caller whose stack pointer 0x{sp:x} is not above its callee's";
                break;
            }
            if (context.Modules.Find(caller.IsExactPc ? pc : pc - 1) is null)
            {
                stop = $"a caller at 0x{pc:x}, outside every module";
                break;
            }
            frames.Add(Symbolize(new StackFrame { Index = frames.Count, Address = pc, Trust = caller.Trust, Registers = caller.Registers, IsExactPc = caller.IsExactPc }));
        }
        return new CallStack(frames, stop);
    }

    private UnwoundCaller? Step(StackFrame callee)
    {
        // A context frame whose pc is not code (a call through a bad pointer): its return address is on top of the stack.
        if (callee.Trust == FrameTrust.Context && !context.IsExecutableCode(callee.Registers.Pc))
            return unwinders.OfType<StackScanner>().FirstOrDefault()?.Unwind(callee, context);
        foreach (var unwinder in unwinders)
            if (unwinder.Unwind(callee, context) is { } caller)
                return caller;
        return null;
    }

    /// <summary>
    /// A module's data segments lie beyond its ModuleList size (which ends with its code): an address there belongs to
    /// the module whose file the mapping maps.
    /// </summary>
    private Modules.DumpModule? ByMapping(ulong address) =>
        context.Map.Find(address) is { Path.Length: > 0 } region
            ? context.Modules.Modules.Where(m => m.Path == region.Path && m.BaseAddress <= address).MaxBy(m => m.BaseAddress)
            : null;

    private StackFrame Symbolize(StackFrame frame)
    {
        if ((context.Modules.Find(frame.LookupAddress) ?? ByMapping(frame.LookupAddress)) is not { } module)
            return frame;
        frame.Module = module;
        // A context pc that is not code (a call into data) is named by the data object it points into.
        bool data = frame.Trust == FrameTrust.Context && !context.IsExecutableCode(frame.Address);
        // A return address into a signal trampoline is its first byte (the kernel put it there, no call did): when the
        // byte before it belongs to no function, the address itself names the frame.
        var image = context.Modules.Image(module);
        if ((image.Symbolize(frame.LookupAddress, data) ?? image.Symbolize(frame.Address, data)) is { } symbol)
        {
            frame.Function = symbol.Name;
            frame.FunctionOffset = frame.Address - symbol.Start;
        }
        if (!data)
            frame.Source = image.SourceAt(frame.LookupAddress);
        return frame;
    }
}
