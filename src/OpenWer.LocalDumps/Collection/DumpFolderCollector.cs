using OpenWer.Dumps.Output;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// Puts a dump into the LocalDumps folder the way WER does: named &lt;exe&gt;.&lt;pid&gt;.dmp, never over an existing
/// file, mode 0600, and the oldest dumps removed so that DumpCount remain. A lock file serializes concurrent
/// crashes' renames and rotations, so neither a dump is lost nor more than DumpCount are left.
/// </summary>
public static class DumpFolderCollector
{
    private const string LockName = ".openwer.lock";

    public static CollectionResult Collect(LocalDumpsSettings settings, string executableName, int pid, Action<Stream> writeDump)
    {
        int keep = settings.DumpCount.Value;
        if (keep == 0)
            return new CollectionResult(null, $"DumpCount is 0 for {executableName} ({settings.DumpCount.Source}): collection is off for it", []);
        string folder = settings.DumpFolder.Value;
        PrepareFolder(folder);
        string name = $"{Path.GetFileName(executableName)}.{pid}.dmp";
        string temp = Path.Combine(folder, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, // O_EXCL: never through a symlink planted under this name
                Access = FileAccess.ReadWrite,
                BufferSize = 0,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                writeDump(stream);
            }
            using var folderLock = Lock(folder);
            string final = UniqueName(folder, name);
            File.Move(temp, final, overwrite: false);
            return new CollectionResult(final, null, Rotate(folder, keep, final));
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void PrepareFolder(string folder)
    {
        var info = new DirectoryInfo(folder);
        if (info.Exists && info.LinkTarget is not null)
            throw new DumpOutputException($"the dump folder {folder} is a symbolic link; refusing to write through it");
        if (!info.Exists)
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static FileStream Lock(string folder)
    {
        string path = Path.Combine(folder, LockName);
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(5);
            }
        }
    }

    private static string UniqueName(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        for (int i = 1; Exists(path); i++)
            path = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(name)}.{i}.dmp");
        return path;
    }

    /// <summary>lstat-style existence: a dangling symlink counts.</summary>
    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>DumpCount counts every dump in the folder, as WER's does: the oldest go first, the new one stays.</summary>
    private static List<string> Rotate(string folder, int keep, string newest)
    {
        var dumps = new DirectoryInfo(folder).EnumerateFiles("*.dmp")
            .Where(f => f.LinkTarget is null && !f.Name.StartsWith('.'))
            .OrderByDescending(f => f.FullName == newest)
            .ThenByDescending(f => f.LastWriteTimeUtc)
            .ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var removed = new List<string>();
        foreach (var old in dumps.Skip(keep))
        {
            old.Delete();
            removed.Add(old.FullName);
        }
        return removed;
    }
}
