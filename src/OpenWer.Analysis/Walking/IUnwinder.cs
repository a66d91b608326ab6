namespace OpenWer.Analysis.Walking;

/// <summary>One way of finding a frame's caller; null when this way cannot.</summary>
public interface IUnwinder
{
    UnwoundCaller? Unwind(StackFrame callee, WalkContext context);
}
