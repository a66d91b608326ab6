namespace OpenWer.Snapshot;

/// <summary>A thread as it was while stopped: its registers (in the context of the process's architecture) and /proc facts.</summary>
public sealed record ThreadSnapshot(int ThreadId, string? Name, CpuContext Context, ulong ThreadPointer, ThreadTimes Times)
{
    public ulong StackPointer => Context.StackPointer;
    public ulong InstructionPointer => Context.InstructionPointer;
}

/// <summary>From /proc/PID/task/TID/stat and status: times in clock ticks, start in ticks since boot.</summary>
public readonly record struct ThreadTimes(ulong UserTicks, ulong SystemTicks, ulong StartTicks, ulong Affinity);
