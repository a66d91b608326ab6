namespace OpenWer.Analysis.Managed;

/// <summary>
/// A frame of managed code as the runtime's DAC tells it: its pc and stack pointer, the method (Type.Method), the
/// assembly file it comes from, where the method's native code starts and the IL offset of the pc, when known.
/// </summary>
public sealed record ManagedFrame(ulong InstructionPointer, ulong StackPointer, string Method, string? Assembly, ulong MethodStart, int? IlOffset);
