using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using OpenWer.Dumps.Output;
using OpenWer.LocalDumps.MachineWide;

namespace OpenWer.LocalDumps.Collection;

/// <summary>The folder the dump goes into: an open descriptor (never a path looked up again), its path for the log, its identity.</summary>
internal sealed class OpenedFolder(SafeFileHandle handle, string path, FolderCalls.Status status) : IDisposable
{
    internal SafeFileHandle Handle { get; } = handle;
    public string Path { get; } = path;
    internal FolderCalls.Status Status { get; } = status;

    public void Dispose() => Handle.Dispose();
}

/// <summary>
/// Opens the dump folder from "/" one component at a time, each relative to the descriptor of the one before, with
/// the rights of the user the dump is for. Each directory on the way must be root's or the user's (a root-owned
/// one writable by others must be sticky); a symlink on the way is followed only if root owns it; the folder
/// itself is never a symlink. The folder owned by the user is used as is; a root-owned folder is a shared one and
/// the dump goes into the user's own subfolder (named after the user, 0700, made by root for the user); another
/// user's folder is refused. Missing folders are created as the user, so only where the user could.
/// </summary>
public static class DumpFolderWalk
{
    private const int MaxSymlinks = 40;

    internal static OpenedFolder Open(string folder, FolderIdentity who)
    {
        // The setting's own last component is marked: it must not be a symlink. Symlink targets' components are pushed on top.
        var written = Components(Encoding.UTF8.GetBytes(folder)).ToList();
        var pending = new Stack<(byte[] Name, bool Last)>();
        for (int i = written.Count - 1; i >= 0; i--)
            pending.Push((written[i], i == written.Count - 1));
        var trail = new Stack<(SafeFileHandle Handle, string Path, uint Owner)>();
        var root = FolderCalls.OpenPath(null, FolderCalls.Z("/"), out int errno) ?? throw Refused(folder, $"cannot open /: {FolderCalls.Message(errno)}");
        trail.Push((root, "", 0));
        int symlinks = 0;
        try
        {
            while (pending.Count > 0)
            {
                var (name, last) = pending.Pop();
                if (name.AsSpan().SequenceEqual("."u8))
                    continue;
                if (name.AsSpan().SequenceEqual(".."u8))
                {
                    if (trail.Count > 1)
                        trail.Pop().Handle.Dispose();
                    continue;
                }
                var (parent, parentPath, _) = trail.Peek();
                string path = parentPath + "/" + Encoding.UTF8.GetString(name);
                var next = OpenOrCreate(parent, name, path, folder);
                var status = FolderCalls.Stat(next, out errno) ?? throw Refused(folder, $"cannot stat {path}: {FolderCalls.Message(errno)}");
                if (status.IsSymlink)
                {
                    using (next)
                    {
                        if (last)
                            throw Refused(folder, $"the dump folder {folder} is a symbolic link; refusing to write through it");
                        if (status.Uid != 0)
                            throw Refused(folder, $"{path} is a symbolic link owned by {UserName(status.Uid)}; only root's symbolic links are followed");
                        if (++symlinks > MaxSymlinks)
                            throw Refused(folder, $"too many symbolic links on the way to {folder}");
                        var target = FolderCalls.LinkTarget(next, out errno) ?? throw Refused(folder, $"cannot read the symbolic link {path}: {FolderCalls.Message(errno)}");
                        var parts = Components(target).ToList();
                        for (int i = parts.Count - 1; i >= 0; i--)
                            pending.Push((parts[i], false));
                        if (target.Length > 0 && target[0] == '/')
                            while (trail.Count > 1)
                                trail.Pop().Handle.Dispose();
                        continue;
                    }
                }
                if (!status.IsDirectory)
                {
                    next.Dispose();
                    throw Refused(folder, $"{path} is not a directory");
                }
                if (status.Uid != 0 && status.Uid != who.Uid)
                {
                    next.Dispose();
                    throw Refused(folder, $"{path} belongs to {UserName(status.Uid)}, not to {who.Name}, whose crash it is; a folder shared by several users must be owned by root");
                }
                if (status.Uid == 0 && status.Uid != who.Uid && WritableByOthers(status) && (status.Mode & FolderCalls.S_ISVTX) == 0)
                {
                    next.Dispose();
                    throw Refused(folder, $"{path} is root's but writable by others and not sticky: anyone could replace what is below it");
                }
                if (status.Uid == 0 && who.Uid != 0 && trail.Any(t => t.Owner == who.Uid))
                {
                    next.Dispose();
                    throw Refused(folder, $"{path} is root's but inside a folder of {who.Name}: a shared folder must lie on a path of root's folders only");
                }
                trail.Push((next, path, status.Uid));
            }
            var (final, finalPath, owner) = trail.Pop();
            using (final)
            {
                if (finalPath.Length == 0)
                    throw Refused(folder, "the root directory is no dump folder");
                if (owner == who.Uid)
                    return Reopen(final, finalPath, folder);
                return UserSubfolder(final, finalPath, who, folder);
            }
        }
        finally
        {
            while (trail.Count > 0)
                trail.Pop().Handle.Dispose();
        }
    }

    private static SafeFileHandle OpenOrCreate(SafeFileHandle parent, byte[] name, string path, string folder)
    {
        var z = FolderCalls.Z(name);
        var next = FolderCalls.OpenPath(parent, z, out int errno);
        if (next is null && errno == FolderCalls.ENOENT)
        {
            int made = FolderCalls.MakeDirectory(parent, z, 0x1C0); // 0700, as the user
            if (made != 0 && made != FolderCalls.EEXIST)
                throw Refused(folder, $"cannot create {path}: {FolderCalls.Message(made)}");
            next = FolderCalls.OpenPath(parent, z, out errno);
        }
        return next ?? throw Refused(folder, $"cannot open {path}: {FolderCalls.Message(errno)}");
    }

    /// <summary>The user's own subfolder of a shared (root-owned) folder: made by root for the user if missing, else it must be a real directory of the user's.</summary>
    private static OpenedFolder UserSubfolder(SafeFileHandle shared, string sharedPath, FolderIdentity who, string folder)
    {
        var name = FolderCalls.Z(who.Name);
        string path = $"{sharedPath}/{who.Name}";
        var existing = FolderCalls.OpenPath(shared, name, out int errno);
        if (existing is null && errno == FolderCalls.ENOENT && who.Switches)
        {
            // Only root can make a folder in a shared folder that users may not write to; the user's rights
            // have already shown that the user may enter the shared folder (else the open failed with EACCES).
            var made = who.AsRoot(() => MakeSubfolderFor(shared, name, who, path, folder));
            if (made is not null)
                return made;
            existing = FolderCalls.OpenPath(shared, name, out errno); // someone else made it meanwhile: check it as any other
        }
        if (existing is null)
            throw Refused(folder, errno == FolderCalls.ENOENT
                ? $"{sharedPath} is a shared folder (owned by root); {who.Name}'s subfolder {path} does not exist and only root can make it: {FolderCalls.Message(errno)}"
                : $"cannot open {path}: {FolderCalls.Message(errno)}");
        using (existing)
        {
            var status = FolderCalls.Stat(existing, out errno) ?? throw Refused(folder, $"cannot stat {path}: {FolderCalls.Message(errno)}");
            if (!status.IsDirectory || status.Uid != who.Uid)
                throw Refused(folder, $"{path}, the subfolder of the shared folder {sharedPath} for {who.Name}'s dumps, is " +
                    (status.IsSymlink ? "a symbolic link" : !status.IsDirectory ? "not a directory" : $"owned by {UserName(status.Uid)}") +
                    $"; refusing it (remove it, and the next crash makes it right)");
            return Reopen(existing, path, folder);
        }
    }

    private static OpenedFolder? MakeSubfolderFor(SafeFileHandle shared, byte[] name, FolderIdentity who, string path, string folder)
    {
        int made = FolderCalls.MakeDirectory(shared, name, 0x1C0);
        if (made == FolderCalls.EEXIST)
            return null;
        if (made != 0)
            throw Refused(folder, $"cannot create {path}: {FolderCalls.Message(made)}");
        var handle = FolderCalls.OpenDirectory(shared, name, out int errno) ?? throw Refused(folder, $"cannot open {path}: {FolderCalls.Message(errno)}");
        var status = FolderCalls.Stat(handle, out errno);
        // Just made by root; in a sticky world-writable shared folder someone could have raced us to the name,
        // so give away only the root-owned directory this descriptor holds.
        int failed = status is not { IsDirectory: true, Uid: 0 } ? FolderCalls.EEXIST : FolderCalls.ChangeOwner(handle, who.Uid, who.Gid);
        if (failed == 0)
            failed = FolderCalls.ChangeMode(handle, 0x1C0);
        if (failed != 0)
        {
            handle.Dispose();
            throw Refused(folder, $"cannot give {path} to {who.Name}: {FolderCalls.Message(failed)}");
        }
        return new OpenedFolder(handle, path, FolderCalls.Stat(handle, out _)!.Value);
    }

    private static OpenedFolder Reopen(SafeFileHandle pathHandle, string path, string folder)
    {
        var handle = FolderCalls.OpenDirectory(pathHandle, FolderCalls.Z("."), out int errno)
            ?? throw Refused(folder, $"cannot open {path}: {FolderCalls.Message(errno)}");
        var status = FolderCalls.Stat(handle, out errno);
        if (status is null)
        {
            handle.Dispose();
            throw Refused(folder, $"cannot stat {path}: {FolderCalls.Message(errno)}");
        }
        return new OpenedFolder(handle, path, status.Value);
    }

    private static bool WritableByOthers(FolderCalls.Status s) => (s.Mode & 0x2) != 0 || (s.Mode & 0x10) != 0 && s.Gid != 0;

    private static IEnumerable<byte[]> Components(byte[] path) =>
        ((ReadOnlyMemory<byte>)path).Split((byte)'/').Where(c => c.Length > 0).Select(c => c.ToArray());

    private static IEnumerable<ReadOnlyMemory<byte>> Split(this ReadOnlyMemory<byte> bytes, byte separator)
    {
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes.Span[i] == separator)
            {
                yield return bytes[start..i];
                start = i + 1;
            }
        }
    }

    private static string UserName(uint uid) =>
        UserIdentity.Lookup(uid, 0)?.Name is { } n ? $"user {n} (uid {uid})" : $"uid {uid.ToString(CultureInfo.InvariantCulture)}";

    private static DumpOutputException Refused(string folder, string reason) => new($"dump folder {folder}: {reason}");
}
