using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OpenWer.LocalDumps.Native;

/// <summary>
/// Every libc call of the LocalDumps layer, declared here only (the Native AOT build binds "libc" at link time, so no
/// library is looked up at run time). Each caller checks the return code. This part: files and folders, most of
/// them relative to a folder descriptor, so that the crash handler never follows a path another user can change.
/// </summary>
internal static unsafe partial class LibC
{
    public const int O_CLOEXEC = 0x80000;

    /// <summary>The text of the errno the last call set (those declared with SetLastError).</summary>
    public static string Error() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    // open is variadic; its mode is passed alike in the variadic and fixed ABIs (0 where no file is created).
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(SafeFileHandle folder, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(SafeFileHandle folder, byte[] name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int folder, byte[] name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeFileHandle file, byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeFileHandle file, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(SafeFileHandle file, long length);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkDir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkDirAt(SafeFileHandle folder, byte[] name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(SafeFileHandle folder, byte[] name, int flags);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    public static partial int RenameAt2(SafeFileHandle fromFolder, byte[] from, SafeFileHandle toFolder, byte[] to, uint flags);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    public static partial int FChown(SafeFileHandle file, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(SafeFileHandle file, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeFileHandle file, int operation);

    // statx's layout is the same on every architecture.
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int folder, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(SafeFileHandle folder, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(SafeFileHandle folder, byte[] name, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "fstatvfs", SetLastError = true)]
    public static partial int FStatVfs(SafeFileHandle file, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLink(string path, byte[] buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(SafeFileHandle link, byte[] name, byte[] buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(SafeFileHandle folder, byte[] buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(SafeFileHandle from, int to);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);
}
