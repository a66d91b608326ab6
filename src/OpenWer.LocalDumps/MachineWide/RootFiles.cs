using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>What fstat tells about an open file: enough to refuse one that is not root's own.</summary>
internal readonly record struct FileFacts(uint Uid, uint Mode, long Size, ulong Inode)
{
    public bool IsRegular => (Mode & 0xF000) == 0x8000;
    public bool IsDirectory => (Mode & 0xF000) == 0x4000;
    public uint Permissions => Mode & 0xFFF;
}

/// <summary>
/// The handler's own files (its log, its state), opened with open(2) flags .NET does not offer: O_APPEND so that
/// handlers running at once never overwrite each other's lines, O_NOFOLLOW, and checks that each is root's.
/// </summary>
internal static partial class RootFiles
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_APPEND = 0x400, O_NONBLOCK = 0x800,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    private const int EINTR = 4, EWOULDBLOCK = 11, EEXIST = 17, AT_EMPTY_PATH = 0x1000, LOCK_EX = 2, LOCK_NB = 4;
    private const uint STATX_BASIC = 0x7FF;

    public static SafeFileHandle Open(string path, int flags, uint mode = 0x180)
    {
        int fd;
        do fd = LibC.Open(path, flags, mode);
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0)
            throw Error($"cannot open {path}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public static SafeFileHandle OpenAt(SafeFileHandle folder, string name, int flags, uint mode = 0x180)
    {
        int fd;
        do fd = LibC.OpenAt(folder, name, flags, mode);
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0)
            throw Error($"cannot open {name}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>A folder only root may enter (created 0700 if missing; group and other rights removed if present).</summary>
    public static SafeFileHandle RootFolder(string path)
    {
        if (LibC.MkDir(path, 0x1C0) != 0 && Marshal.GetLastPInvokeError() != EEXIST)
            throw Error($"cannot create {path}");
        var folder = Open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        var facts = Facts(folder, path);
        if (!facts.IsDirectory || facts.Uid != 0)
        {
            folder.Dispose();
            throw new IOException($"{path} is not a folder owned by root; not using it");
        }
        if ((facts.Permissions & 0x3F) != 0)
            Chmod(folder, 0x1C0, path);
        return folder;
    }

    /// <summary>Refuses a file that is not a regular file owned by root, and makes it 0600 if it is readable by others.</summary>
    public static FileFacts RequireRootOwned(SafeFileHandle file, string path)
    {
        var facts = Facts(file, path);
        if (!facts.IsRegular || facts.Uid != 0)
            throw new IOException($"{path} is not a regular file owned by root; not using it");
        if (facts.Permissions != 0x180)
            Chmod(file, 0x180, path);
        return facts;
    }

    public static FileFacts Facts(SafeFileHandle file, string path)
    {
        Span<byte> statx = stackalloc byte[256];
        if (LibC.Statx(file, "", AT_EMPTY_PATH, STATX_BASIC, statx) != 0)
            throw Error($"cannot stat {path}");
        return new FileFacts(BinaryPrimitives.ReadUInt32LittleEndian(statx[20..]), BinaryPrimitives.ReadUInt16LittleEndian(statx[28..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(statx[40..]), BinaryPrimitives.ReadUInt64LittleEndian(statx[32..]));
    }

    /// <summary>Takes the exclusive lock if it is free; false if another holds it.</summary>
    public static bool TryLock(SafeFileHandle file, string path)
    {
        int rc;
        do rc = LibC.Flock(file, LOCK_EX | LOCK_NB);
        while (rc != 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (rc != 0 && Marshal.GetLastPInvokeError() != EWOULDBLOCK)
            throw Error($"cannot lock {path}");
        return rc == 0;
    }

    /// <summary>Waits for the exclusive lock (held only by other handlers, all root, each for a few file operations).</summary>
    public static void Lock(SafeFileHandle file, string path)
    {
        int rc;
        do rc = LibC.Flock(file, LOCK_EX);
        while (rc != 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (rc != 0)
            throw Error($"cannot lock {path}");
    }

    /// <summary>One write(2) of the whole buffer: with O_APPEND the kernel puts it at the end, in one piece.</summary>
    public static unsafe void WriteOnce(SafeFileHandle file, ReadOnlySpan<byte> bytes, string path)
    {
        nint written;
        fixed (byte* p = bytes)
        {
            do written = LibC.Write(file, p, (nuint)bytes.Length);
            while (written < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }
        if (written < 0)
            throw Error($"cannot write {path}");
        if (written != bytes.Length)
            throw new IOException($"cannot write {path}: {written} of {bytes.Length} bytes written (disk full?)");
    }

    public static void Truncate(SafeFileHandle file, long length, string path)
    {
        if (LibC.FTruncate(file, length) != 0)
            throw Error($"cannot truncate {path}");
    }

    public static void Rename(string from, string to)
    {
        if (LibC.Rename(from, to) != 0)
            throw Error($"cannot rename {from} to {to}");
    }

    private static void Chmod(SafeFileHandle file, uint mode, string path)
    {
        if (LibC.FChmod(file, mode) != 0)
            throw Error($"cannot chmod {path}");
    }

    private static IOException Error(string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

}
