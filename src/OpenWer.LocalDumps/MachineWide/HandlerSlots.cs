using Microsoft.Win32.SafeHandles;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// At most N handlers at work at once for one user. The kernel runs at most core_pipe_limit (16) pipe handlers at a
/// time and drops every other crash on the machine beyond that; one user's crashes (or handlers they manage to slow
/// down) must leave the rest for everyone else. A handler over its user's share waits in a machine-wide waiting room
/// of core_pipe_limit - 2N places (16 - 2N after enable) for one of the user's slots (so a burst of one program's crashes is still collected), and is
/// turned away, with a log line, when the room is full: one user holds at most 16 - N of the kernel's slots, N stay
/// for others. Slots are flocks on root-owned files in /run/openwer, held until the handler exits (the kernel drops
/// them then, however it exits); nothing a user can hold or create.
/// </summary>
public sealed class HandlerSlots : IDisposable
{
    public const string Folder = "/run/openwer/slots";
    private readonly SafeFileHandle _slot;

    private HandlerSlots(SafeFileHandle slot) => _slot = slot;

    /// <summary>The waiting room's places for a per-user share of <paramref name="perUser"/>: the kernel's slots
    /// (kernel.core_pipe_limit, 16 after enable) less two shares.</summary>
    public static int WaitingRoom(int perUser) => Math.Max(0, KernelSlots() - 2 * perUser);

    private static int KernelSlots() =>
        int.TryParse(Capture.Proc.ProcFiles.ReadText("/proc/sys/kernel/core_pipe_limit").Trim(), out int n) && n > 0 ? n : CorePatternRegistration.PipeLimit;

    /// <summary>
    /// Takes one of <paramref name="uid"/>'s slots, waiting for one (until <paramref name="deadline"/>) when there is a place
    /// in the waiting room; null when turned away (<paramref name="why"/> says why).
    /// </summary>
    public static HandlerSlots? TryTake(uint uid, int perUser, long deadline, out string? why)
    {
        why = null;
        RootFiles.RootFolder(Path.GetDirectoryName(Folder)!).Dispose();
        RootFiles.RootFolder(Folder).Dispose();
        if (TryLock(i => $"{uid}.{i}", perUser) is { } slot)
            return new HandlerSlots(slot);
        using var place = TryLock(i => $"waiting.{i}", WaitingRoom(perUser));
        if (place is null)
        {
            why = $"{perUser} handlers are already at work for uid {uid} ([OpenWer] MaxHandlersPerUser) and the waiting room's {WaitingRoom(perUser)} places are taken: the kernel's other handler slots are kept for other users";
            return null;
        }
        while (Environment.TickCount64 < deadline)
        {
            Thread.Sleep(10);
            if (TryLock(i => $"{uid}.{i}", perUser) is { } taken)
                return new HandlerSlots(taken);
        }
        why = $"waited for one of uid {uid}'s {perUser} handler slots until the time limit";
        return null;
    }

    private static SafeFileHandle? TryLock(Func<int, string> name, int count)
    {
        for (int i = 0; i < count; i++)
        {
            string path = Path.Combine(Folder, name(i));
            var fd = RootFiles.Open(path, RootFiles.O_RDWR | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC);
            if (RootFiles.TryLock(fd, path))
                return fd;
            fd.Dispose();
        }
        return null;
    }

    public void Dispose() => _slot.Dispose();
}
