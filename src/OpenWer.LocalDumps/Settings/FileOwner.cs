using System.Runtime.InteropServices;
using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.Settings;

/// <summary>File ownership through statx(2).</summary>
internal static class FileOwner
{
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_UID = 0x8;

    /// <summary>The owner's uid (stx_uid, at offset 20 of struct statx), without following a final symlink.</summary>
    public static uint Of(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (LibC.Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_UID, buffer) != 0)
            throw new IOException($"cannot stat {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return BitConverter.ToUInt32(buffer[20..]);
    }
}
