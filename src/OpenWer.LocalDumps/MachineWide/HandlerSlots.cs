using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// At most N handlers at once for one user. The kernel runs at most core_pipe_limit (16) pipe handlers at a time
/// and drops every other crash on the machine beyond that; one user's crashes (or handlers they manage to slow
/// down) must leave the rest for everyone else. A slot is a flock on a root-owned file in /run/openwer, held until
/// the handler exits (the kernel drops it then, however it exits); nothing a user can hold or create.
/// </summary>
public sealed class HandlerSlots : IDisposable
{
    public const string Folder = "/run/openwer/slots";
    private readonly SafeFileHandle _slot;

    private HandlerSlots(SafeFileHandle slot) => _slot = slot;

    /// <summary>Takes a free slot of <paramref name="uid"/>, or returns null when all <paramref name="perUser"/> are in use.</summary>
    public static HandlerSlots? TryTake(uint uid, int perUser)
    {
        RootFolder.Create(Folder);
        for (int i = 0; i < perUser; i++)
        {
            var fd = HandlerNative.Open(Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"{uid}.{i}")),
                HandlerNative.O_RDWR | HandlerNative.O_CREAT | HandlerNative.O_NOFOLLOW | HandlerNative.O_CLOEXEC, 0x180);
            if (fd.IsInvalid)
                throw new IOException($"cannot open a handler slot in {Folder}: {HandlerNative.Error()}");
            if (HandlerNative.Flock(fd, HandlerNative.LOCK_EX | HandlerNative.LOCK_NB) == 0)
                return new HandlerSlots(fd);
            fd.Dispose();
        }
        return null;
    }

    public void Dispose() => _slot.Dispose();
}

/// <summary>Folders of the handler's own state: root's, mode 0700, never through a symlink.</summary>
internal static class RootFolder
{
    public static void Create(string path)
    {
        var parent = Path.GetDirectoryName(path);
        if (parent is not null && parent != "/" && !Directory.Exists(parent))
            Create(parent);
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
            throw new IOException($"{path} is a symbolic link; the handler's state folders must be real folders owned by root");
        if (!info.Exists)
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
