using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// Serializes concurrent crashes' rename and rotation in one folder, so that DumpCount holds. For root's crash
/// handler the lock is one of a fixed set of root-only files, /run/openwer/folder-locks/NN.lock, chosen by the
/// folder's device and inode: no user can open it, so no user can hold it and park the handlers of others. For a
/// user's own collection (`wer run`) it is a flock on the folder itself. Either way the wait is bounded: past it
/// the dump is still renamed into place (RENAME_NOREPLACE never overwrites), only the rotation is skipped.
/// </summary>
public sealed class FolderLock : IDisposable
{
    public const string SlotFolder = "/run/openwer/folder-locks";
    public const int Slots = 64;
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);
    private readonly SafeFileHandle? _owned;
    private readonly SafeFileHandle _locked;

    private FolderLock(SafeFileHandle locked, SafeFileHandle? owned)
    {
        _locked = locked;
        _owned = owned;
    }

    /// <summary>The lock for <paramref name="folder"/>, taken within <see cref="Wait"/>; null (with the reason) if it could not be.</summary>
    internal static FolderLock? Take(OpenedFolder folder, FolderIdentity who, out string? problem)
    {
        SafeFileHandle? file = null;
        problem = null;
        if (who.Switches)
        {
            string? p = null;
            file = who.AsRoot(() => OpenSlot(folder.Status, out p));
            if (file is null)
            {
                problem = p;
                return null;
            }
        }
        var target = file ?? folder.Handle;
        long deadline = Environment.TickCount64 + (long)Wait.TotalMilliseconds;
        while (true)
        {
            int errno = FolderCalls.TryLock(target);
            if (errno == 0)
                return new FolderLock(target, file);
            if (errno != FolderCalls.EWOULDBLOCK || Environment.TickCount64 >= deadline)
            {
                file?.Dispose();
                problem = errno == FolderCalls.EWOULDBLOCK
                    ? $"the lock of {folder.Path} was not free within {Wait.TotalSeconds:0.#} s"
                    : $"cannot lock {folder.Path}: {FolderCalls.Message(errno)}";
                return null;
            }
            Thread.Sleep(5);
        }
    }

    /// <summary>Opens (as root) the slot file for the folder; every directory on the way must be root's and writable by root only.</summary>
    private static SafeFileHandle? OpenSlot(FolderCalls.Status folder, out string? problem)
    {
        using var run = FolderCalls.OpenPath(null, FolderCalls.Z("/run"), out int errno);
        using var openwer = run is null ? null : RootOnlyDirectory(run, "/run/openwer", out errno);
        var parent = openwer is null ? null : RootOnlyDirectory(openwer, SlotFolder, out errno);
        if (parent is null)
        {
            problem = errno == 0
                ? $"{SlotFolder} or /run/openwer is not a directory of root's that only root may write to"
                : $"cannot open {SlotFolder}: {FolderCalls.Message(errno)}";
            return null;
        }
        problem = null;
        using (parent)
        {
            string slot = SlotOf(folder).ToString("D2", CultureInfo.InvariantCulture) + ".lock";
            var file = FolderCalls.OpenOrCreate(parent, FolderCalls.Z(slot), 0x180, out errno);
            if (file is null)
                problem = $"cannot open {SlotFolder}/{slot}: {FolderCalls.Message(errno)}";
            return file;
        }
    }

    /// <summary>Opens (making it 0700 if missing) a directory that must be root's and writable by root only; errno 0 with null: it is not.</summary>
    private static SafeFileHandle? RootOnlyDirectory(SafeFileHandle parent, string path, out int errno)
    {
        var name = FolderCalls.Z(Path.GetFileName(path));
        int made = FolderCalls.MakeDirectory(parent, name, 0x1C0);
        if (made is not 0 and not FolderCalls.EEXIST)
        {
            errno = made;
            return null;
        }
        var handle = FolderCalls.OpenPath(parent, name, out errno);
        if (handle is null)
            return null;
        var status = FolderCalls.Stat(handle, out errno);
        if (status is { IsDirectory: true, Uid: 0 } s && (s.Mode & 0x12) == 0)
            return handle;
        handle.Dispose();
        errno = 0;
        return null;
    }

    /// <summary>A fixed, process-independent hash of the folder's device and inode (string.GetHashCode is randomized per process).</summary>
    internal static int SlotOf(FolderCalls.Status folder)
    {
        Span<byte> key = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(key, folder.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], folder.Inode);
        ulong hash = 14695981039346656037; // FNV-1a
        foreach (byte b in key)
            hash = (hash ^ b) * 1099511628211;
        return (int)(hash % Slots);
    }

    public void Dispose()
    {
        FolderCalls.Unlock(_locked);
        _owned?.Dispose();
    }
}
