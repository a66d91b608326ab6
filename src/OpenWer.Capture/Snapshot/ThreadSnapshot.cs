using OpenWer.Format.Contexts;

namespace OpenWer.Capture.Snapshot;

/// <summary>A thread as it was while stopped: registers in the Windows CONTEXT layout of its architecture, and /proc facts.</summary>
public sealed record ThreadSnapshot(int ThreadId, string? Name, ContextAmd64? ContextAmd64, ContextArm64? ContextArm64,
    ulong ThreadPointer, ThreadTimes Times)
{
    /// <summary>A 32-bit x86 thread's context (then the other two are null).</summary>
    public ContextX86? ContextX86 { get; init; }

    public ulong StackPointer => ContextAmd64?.Rsp ?? ContextArm64?.Sp ?? ContextX86?.Esp ?? 0;
    public ulong InstructionPointer => ContextAmd64?.Rip ?? ContextArm64?.Pc ?? ContextX86?.Eip ?? 0;
}

/// <summary>From /proc/PID/task/TID/stat and status: times in clock ticks, start in ticks since boot.</summary>
public readonly record struct ThreadTimes(ulong UserTicks, ulong SystemTicks, ulong StartTicks, ulong Affinity);
