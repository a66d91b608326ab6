using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// The *at(2) calls the dump folder is handled with: every name is resolved relative to a directory descriptor
/// already checked, never by a path walked again. Names are raw bytes (a file name need not be UTF-8).
/// Descriptors are passed as SafeFileHandle (a pointer-sized register; the kernel reads its low 32 bits as the int fd).
/// </summary>
internal static partial class FolderCalls
{
    public const int ENOENT = 2, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EWOULDBLOCK = 11, ENOSPC = 28, EDQUOT = 122, ELOOP = 40;
    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000, S_ISVTX = 0x200;
    private const int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    private const int AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    private const uint RENAME_NOREPLACE = 1, STATX_BASIC_STATS = 0x7ff;
    private const int LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    // O_DIRECTORY and O_NOFOLLOW are the two open flags whose values differ between x86-64 and arm64.
    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
    private static readonly int O_DIRECTORY = Arm64 ? 0x4000 : 0x10000;
    private static readonly int O_NOFOLLOW = Arm64 ? 0x8000 : 0x20000;

    /// <summary>What statx said of one name (not following a final symlink).</summary>
    public readonly record struct Status(uint Mode, uint Uid, uint Gid, ulong Inode, ulong Size, long ModifiedSeconds, uint ModifiedNanoseconds,
        uint DeviceMajor, uint DeviceMinor)
    {
        public uint Type => Mode & S_IFMT;
        public bool IsDirectory => Type == S_IFDIR;
        public bool IsRegular => Type == S_IFREG;
        public bool IsSymlink => Type == S_IFLNK;
        public ulong Device => ((ulong)DeviceMajor << 32) | DeviceMinor;
    }

    public static byte[] Z(ReadOnlySpan<byte> name)
    {
        var z = new byte[name.Length + 1];
        name.CopyTo(z);
        return z;
    }

    public static byte[] Z(string name) => Z(Encoding.UTF8.GetBytes(name));

    private static SafeFileHandle Handle(int fd) => new(fd, ownsHandle: true);

    private static int Errno => Marshal.GetLastPInvokeError();

    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>An O_PATH descriptor of whatever the name is (a symlink itself included): it opens nothing, so a FIFO cannot block it.</summary>
    public static SafeFileHandle? OpenPath(SafeFileHandle? dir, byte[] name, out int errno) =>
        Open(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, out errno);

    /// <summary>A readable descriptor of a directory (for listing it, flock and fstatvfs), never through a symlink.</summary>
    public static SafeFileHandle? OpenDirectory(SafeFileHandle? dir, byte[] name, out int errno) =>
        Open(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0, out errno);

    /// <summary>A new file that did not exist (O_EXCL: never an existing file or a planted symlink).</summary>
    public static SafeFileHandle? CreateNew(SafeFileHandle dir, byte[] name, uint mode, out int errno) =>
        Open(dir, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode, out errno);

    /// <summary>A file opened or created, never through a symlink.</summary>
    public static SafeFileHandle? OpenOrCreate(SafeFileHandle dir, byte[] name, uint mode, out int errno) =>
        Open(dir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode, out errno);

    private static SafeFileHandle? Open(SafeFileHandle? dir, byte[] name, int flags, uint mode, out int errno)
    {
        int fd = dir is null ? LibC.OpenAt(-100, name, flags, mode) : LibC.OpenAt(dir, name, flags, mode);
        errno = fd < 0 ? Errno : 0;
        return fd < 0 ? null : Handle(fd);
    }

    public static int MakeDirectory(SafeFileHandle dir, byte[] name, uint mode) => LibC.MkDirAt(dir, name, mode) == 0 ? 0 : Errno;

    public static int Unlink(SafeFileHandle dir, byte[] name) => LibC.UnlinkAt(dir, name, 0) == 0 ? 0 : Errno;

    public static int RenameNoReplace(SafeFileHandle dir, byte[] from, byte[] to) => LibC.RenameAt2(dir, from, dir, to, RENAME_NOREPLACE) == 0 ? 0 : Errno;

    public static int ChangeOwner(SafeFileHandle fd, uint uid, uint gid) => LibC.FChown(fd, uid, gid) == 0 ? 0 : Errno;

    public static int ChangeMode(SafeFileHandle fd, uint mode) => LibC.FChmod(fd, mode) == 0 ? 0 : Errno;

    /// <summary>Tries an exclusive flock without waiting: 0, EWOULDBLOCK, or another errno.</summary>
    public static int TryLock(SafeFileHandle fd) => LibC.Flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : Errno;

    public static void Unlock(SafeFileHandle fd) => LibC.Flock(fd, LOCK_UN);

    public static Status? Stat(SafeFileHandle fd, out int errno) => StatAt(fd, [0], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, out errno);

    public static Status? Stat(SafeFileHandle dir, byte[] name, out int errno) => StatAt(dir, name, AT_SYMLINK_NOFOLLOW, out errno);

    private static Status? StatAt(SafeFileHandle dir, byte[] name, int flags, out int errno)
    {
        Span<byte> b = stackalloc byte[256];
        if (LibC.Statx(dir, name, flags, STATX_BASIC_STATS, b) != 0)
        {
            errno = Errno;
            return null;
        }
        errno = 0;
        // struct statx: uid 20, gid 24, mode 28 (u16), ino 32, size 40, mtime 112 (s64 sec, u32 nsec), dev major/minor 136/140.
        return new Status(BinaryPrimitives.ReadUInt16LittleEndian(b[28..]), BinaryPrimitives.ReadUInt32LittleEndian(b[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[24..]), BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(b[40..]), BinaryPrimitives.ReadInt64LittleEndian(b[112..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[120..]), BinaryPrimitives.ReadUInt32LittleEndian(b[136..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[140..]));
    }

    /// <summary>The target of the symlink an O_PATH descriptor names.</summary>
    public static byte[]? LinkTarget(SafeFileHandle link, out int errno)
    {
        var buffer = new byte[4097];
        nint n = LibC.ReadLinkAt(link, [0], buffer, (nuint)buffer.Length);
        errno = n < 0 ? Errno : 0;
        if (n < 0 || n >= buffer.Length)
            return null;
        return buffer[..(int)n];
    }

    /// <summary>Bytes the unprivileged may still use (f_bavail × f_frsize): the root reserve is not theirs.</summary>
    public static long? AvailableBytes(SafeFileHandle fd, out int errno)
    {
        Span<byte> b = stackalloc byte[128];
        if (LibC.FStatVfs(fd, b) != 0)
        {
            errno = Errno;
            return null;
        }
        errno = 0;
        // struct statvfs (64-bit): f_bsize 0, f_frsize 8, f_blocks 16, f_bfree 24, f_bavail 32.
        ulong frsize = BinaryPrimitives.ReadUInt64LittleEndian(b[8..]), bavail = BinaryPrimitives.ReadUInt64LittleEndian(b[32..]);
        return (long)Math.Min(frsize * bavail, long.MaxValue);
    }

    /// <summary>The names in a directory (its own descriptor's position is used: pass a descriptor opened for this listing).</summary>
    public static List<byte[]> Names(SafeFileHandle dir, int limit)
    {
        var names = new List<byte[]>();
        var buffer = new byte[32768];
        while (names.Count < limit)
        {
            nint n = LibC.GetDents64(dir, buffer, (nuint)buffer.Length);
            if (n < 0)
                throw new IOException($"cannot list the dump folder: {Message(Errno)}");
            if (n == 0)
                break;
            // struct linux_dirent64: d_ino 0, d_off 8, d_reclen 16 (u16), d_type 18, d_name 19 (NUL-terminated).
            for (int at = 0; at < n && names.Count < limit;)
            {
                int length = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 16));
                var name = buffer.AsSpan(at + 19, length - 19);
                name = name[..name.IndexOf((byte)0)];
                if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)))
                    names.Add(name.ToArray());
                at += length;
            }
        }
        return names;
    }

}
