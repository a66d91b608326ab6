namespace OpenWer.Analysis.Walking;

/// <summary>A walked stack, innermost frame first, and why the walk stopped where it did.</summary>
public sealed record CallStack(IReadOnlyList<StackFrame> Frames, string StopReason);
