namespace OpenWer.Analysis.Managed;

/// <summary>A thread the runtime knows: its OS thread id, managed id, the name its Thread object holds, and its managed frames, innermost first.</summary>
public sealed record ManagedThread(uint OsThreadId, int ManagedThreadId, string? Name, IReadOnlyList<ManagedFrame> Frames, ManagedException? CurrentException);
