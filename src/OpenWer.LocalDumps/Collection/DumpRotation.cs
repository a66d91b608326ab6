using System.Text;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// Keeps DumpCount dumps in the folder, as WER does: every regular file named *.dmp counts (whatever application
/// wrote it, names starting with '.' included), the new dump always stays, the oldest go first. A dump that cannot be
/// removed (another user's, in a sticky folder) is a warning: the new dump was written all the same.
/// </summary>
public static class DumpRotation
{
    /// <summary>At most this many names are looked at, so a folder stuffed with files cannot hold the handler for long.</summary>
    public const int MaxNames = 100_000;

    internal static (List<string> Removed, List<string> Warnings) Rotate(OpenedFolder folder, byte[] newest, int keep)
    {
        var removed = new List<string>();
        var warnings = new List<string>();
        using var listing = FolderCalls.OpenDirectory(folder.Handle, FolderCalls.Z("."), out int errno);
        if (listing is null)
        {
            warnings.Add($"old dumps not rotated: cannot list {folder.Path}: {FolderCalls.Message(errno)}");
            return (removed, warnings);
        }
        var names = FolderCalls.Names(listing, MaxNames);
        if (names.Count >= MaxNames)
            warnings.Add($"{folder.Path} holds more than {MaxNames} names; only the first {MaxNames} were looked at to keep DumpCount");
        // A temporary file an hour old was left by a handler stopped at its time limit in the middle of a write.
        long abandoned = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        foreach (var name in names.Where(n => DumpFileName.IsTemporary(n)))
        {
            if (FolderCalls.Stat(folder.Handle, FolderCalls.Z(name), out _) is { IsRegular: true } left && left.ModifiedSeconds < abandoned)
                FolderCalls.Unlink(folder.Handle, FolderCalls.Z(name));
        }
        var dumps = new List<(byte[] Name, FolderCalls.Status Status)>();
        foreach (var name in names.Where(n => DumpFileName.IsDump(n) && !n.AsSpan().SequenceEqual(newest)))
        {
            if (FolderCalls.Stat(folder.Handle, FolderCalls.Z(name), out _) is { IsRegular: true } status)
                dumps.Add((name, status));
        }
        var oldest = dumps
            .OrderByDescending(d => (d.Status.ModifiedSeconds, d.Status.ModifiedNanoseconds))
            .ThenByDescending(d => d.Name, ByteOrder.Instance)
            .Skip(Math.Max(0, keep - 1)); // the new one is the first kept
        foreach (var (name, _) in oldest)
        {
            string path = $"{folder.Path}/{Encoding.UTF8.GetString(name)}";
            int failed = FolderCalls.Unlink(folder.Handle, FolderCalls.Z(name));
            if (failed == 0)
                removed.Add(path);
            else if (failed != FolderCalls.ENOENT) // removed by a concurrent rotation that did not take the lock in time
                warnings.Add($"could not remove the old dump {path} to keep DumpCount {keep}: {FolderCalls.Message(failed)}");
        }
        return (removed, warnings);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
