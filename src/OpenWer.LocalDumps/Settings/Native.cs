using System.Runtime.InteropServices;

namespace OpenWer.LocalDumps.Settings;

/// <summary>File ownership through statx(2), whose layout is the same on every architecture.</summary>
internal static partial class Native
{
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_UID = 0x8;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, Span<byte> buffer);

    /// <summary>The owner's uid (stx_uid, at offset 20 of struct statx), without following a final symlink.</summary>
    public static uint Owner(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_UID, buffer) != 0)
            throw new IOException($"cannot stat {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return BitConverter.ToUInt32(buffer[20..]);
    }
}
