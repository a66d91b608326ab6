using System.Buffers.Binary;
using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide.Service;

/// <summary>
/// What the kernel says of the process behind a pidfd (PIDFD_GET_INFO, linux/pidfd.h): its pid and credentials and,
/// for a process that is dumping core, how the kernel dumps it (PIDFD_INFO_COREDUMP, Linux 6.16). The kernel
/// guarantees the coredump facts are there by the time it connects to the coredump socket.
/// </summary>
public sealed record PidFdInfo(uint Pid, uint RealUid, uint RealGid, uint EffectiveUid, uint CoredumpMask, bool HasCoredump)
{
    /// <summary>struct pidfd_info up to coredump_mask and coredump_signal (PIDFD_INFO_SIZE_VER1).</summary>
    public const int Size = 72;
    private const ulong InfoCoredump = 1 << 4;
    /// <summary>coredump_mask: the process did dump core; it is dumped as root (suid_dumpable=2, "treat as sensitive").</summary>
    public const uint Coredumped = 1, CoredumpSkip = 2, CoredumpUser = 4, CoredumpRoot = 8;

    /// <summary>_IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info) for this size of the struct.</summary>
    private static readonly nuint GetInfo = (3u << 30) | ((uint)Size << 16) | (0xFFu << 8) | 11u;

    /// <summary>The dump mode the kernel passes a pipe handler as %d: 1 for a dump as the user, 2 for one as root, 0 otherwise.</summary>
    public int DumpMode => !HasCoredump || (CoredumpMask & Coredumped) == 0 ? 0
        : (CoredumpMask & CoredumpRoot) != 0 ? 2 : (CoredumpMask & CoredumpUser) != 0 ? 1 : 0;

    public static unsafe PidFdInfo Read(int pidFd)
    {
        byte* b = stackalloc byte[Size];
        new Span<byte>(b, Size).Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(b, 8), InfoCoredump);
        if (LibC.Ioctl(pidFd, GetInfo, b) != 0)
            throw new IOException($"PIDFD_GET_INFO: {LibC.Error()}");
        var s = new ReadOnlySpan<byte>(b, Size).ToArray();
        uint U(int at) => BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(at));
        ulong mask = BinaryPrimitives.ReadUInt64LittleEndian(s);
        return new PidFdInfo(U(16), U(28), U(32), U(36), U(64), (mask & InfoCoredump) != 0);
    }
}
