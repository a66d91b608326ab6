using System.Text;
using Microsoft.Win32.SafeHandles;
using OpenWer.Dumps.Output;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// Puts a dump into the LocalDumps folder the way WER does: named &lt;exe&gt;.&lt;pid&gt;.dmp, never over an existing
/// file, mode 0600, and the oldest dumps removed so that DumpCount remain. The folder is opened once
/// (<see cref="DumpFolderWalk"/>) and everything after is relative to its descriptor; the dump is written under a
/// random temporary name, then renamed with RENAME_NOREPLACE under <see cref="FolderLock"/>, so concurrent crashes
/// neither lose a dump nor leave more than DumpCount.
/// </summary>
public static class DumpFolderCollector
{
    private const int MaxAttempts = 10_000;

    /// <summary>The process's own collection (`wer run`, `wer localdumps collect`): its own rights, no free-space floor.</summary>
    public static CollectionResult Collect(LocalDumpsSettings settings, string executableName, int pid, Action<Stream> writeDump) =>
        Collect(settings, executableName, pid, FolderIdentity.Process(), FreeSpaceFloor.None, writeDump);

    /// <summary>
    /// Collects with <paramref name="who"/>'s rights: the caller has already taken them on this thread when
    /// <see cref="FolderIdentity.Switches"/> (threads <paramref name="writeDump"/> starts inherit them).
    /// </summary>
    public static CollectionResult Collect(LocalDumpsSettings settings, string executableName, int pid, FolderIdentity who, FreeSpaceFloor floor,
        Action<Stream> writeDump)
    {
        int keep = settings.DumpCount.Value;
        if (keep == 0)
            return new CollectionResult(null, $"DumpCount is 0 for {executableName} ({settings.DumpCount.Source}): collection is off for it", []);
        using var folder = DumpFolderWalk.Open(settings.DumpFolder.Value, who);
        floor.Check(folder);
        var temp = WriteTemporary(folder, writeDump);
        try
        {
            var warnings = new List<string>();
            using var folderLock = FolderLock.Take(folder, who, out string? lockProblem);
            if (lockProblem is not null)
                warnings.Add($"{lockProblem}; the dump is kept but old dumps were not rotated this time");
            var final = Rename(folder, temp, executableName, pid);
            temp = null;
            string path = $"{folder.Path}/{Encoding.UTF8.GetString(final)}";
            if (folderLock is null)
                return new CollectionResult(path, null, []) { Warnings = warnings };
            var (removed, rotationWarnings) = DumpRotation.Rotate(folder, final, keep);
            warnings.AddRange(rotationWarnings);
            return new CollectionResult(path, null, removed) { Warnings = warnings };
        }
        finally
        {
            if (temp is not null)
                FolderCalls.Unlink(folder.Handle, temp);
        }
    }

    /// <summary>Writes the dump under a new random name; on any failure the partial file is removed and the reason said.</summary>
    private static byte[] WriteTemporary(OpenedFolder folder, Action<Stream> writeDump)
    {
        byte[] temp = [];
        SafeFileHandle? handle = null;
        int errno = 0;
        for (int i = 0; i < 5 && handle is null; i++)
        {
            temp = FolderCalls.Z(DumpFileName.Temporary());
            handle = FolderCalls.CreateNew(folder.Handle, temp, 0x180, out errno); // 0600
            if (errno != FolderCalls.EEXIST)
                break;
        }
        if (handle is null)
            throw new DumpOutputException($"cannot create a file in {folder.Path}: {FolderCalls.Message(errno)}");
        bool written = false;
        try
        {
            using (var stream = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0))
                writeDump(stream);
            written = true;
            return temp;
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            throw new DumpOutputException($"the file system of {folder.Path} is full (no space or quota left for the user); the partial dump was removed", e);
        }
        finally
        {
            handle.Dispose();
            if (!written)
                FolderCalls.Unlink(folder.Handle, temp);
        }
    }

    /// <summary>&lt;exe&gt;.&lt;pid&gt;.dmp, else the first free &lt;exe&gt;.&lt;pid&gt;.N.dmp: RENAME_NOREPLACE never replaces anything, a planted symlink included.</summary>
    private static byte[] Rename(OpenedFolder folder, byte[] temp, string executableName, int pid)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var name = DumpFileName.Final(executableName, pid, attempt);
            int errno = FolderCalls.RenameNoReplace(folder.Handle, temp, FolderCalls.Z(name));
            if (errno == 0)
                return name;
            if (errno != FolderCalls.EEXIST)
                throw new DumpOutputException($"cannot rename the dump into {folder.Path}: {FolderCalls.Message(errno)}");
        }
        throw new DumpOutputException($"{folder.Path} already has {MaxAttempts} dumps named after pid {pid}");
    }
}
