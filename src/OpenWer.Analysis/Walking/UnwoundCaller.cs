namespace OpenWer.Analysis.Walking;

/// <summary>The caller an unwinder found: its registers, how, and whether its pc is exact (the frame below was a signal frame).</summary>
public sealed record UnwoundCaller(RegisterSet Registers, FrameTrust Trust, bool IsExactPc = false);
