using Microsoft.Win32.SafeHandles;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Keeps a crash loop from filling the disk: at most <c>count</c> dumps of one executable per <c>window</c>;
/// further crashes in the window are skipped and counted (the count is logged with the next dump taken).
/// The state is one root-only file in /run (tmpfs) holding a bounded table (<see cref="CrashRateTable"/>), read,
/// changed and written back under a lock each handler waits for: only root handlers take it, each for a few
/// file operations, so simultaneous crashes are counted one after another and none is refused for the lock.
/// </summary>
public sealed class CrashRateLimiter(string stateFolder, int count, TimeSpan window)
{
    public const string DefaultFolder = "/run/openwer";
    public const string StateName = "crash-rate";

    /// <summary>The previous version's folder of one file per executable name, removed when seen.</summary>
    private const string OldStateFolder = "rate";

    /// <summary>True if this crash may be dumped; <paramref name="skipped"/> is how many were skipped since the last one taken (with this one, if refused).</summary>
    public bool TryTake(string executable, DateTimeOffset now, out int skipped)
    {
        skipped = 0;
        if (count <= 0)
            return true;
        try
        {
            return Take(executable, now, out skipped);
        }
        catch (IOException e)
        {
            // Without its memory the limit cannot be applied: the dump is worth more than the limit.
            HandlerLog.Warning($"rate limit not applied to {LogText.Escape(executable)}: {e.Message}");
            return true;
        }
    }

    private bool Take(string executable, DateTimeOffset now, out int skipped)
    {
        bool take;
        using (var folder = RootFiles.RootFolder(stateFolder))
        using (var state = RootFiles.OpenAt(folder, StateName, RootFiles.O_RDWR | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC))
        {
            string path = Path.Combine(stateFolder, StateName);
            RootFiles.Lock(state, path);
            var facts = RootFiles.RequireRootOwned(state, path);
            var table = CrashRateTable.Parse(Read(state, facts.Size));
            take = table.TryTake(LogText.Escape(executable), now.ToUnixTimeMilliseconds(), count, (long)window.TotalMilliseconds, out skipped);
            byte[] bytes = table.Serialize();
            RandomAccess.Write(state, bytes, 0);
            RootFiles.Truncate(state, bytes.Length, path);
        }
        RemoveOldState();
        return take;
    }

    /// <summary>The table as it is now (for `wer localdumps show`), or null if there is none.</summary>
    public static CrashRateTable? Current(string stateFolder = DefaultFolder)
    {
        string path = Path.Combine(stateFolder, StateName);
        if (!File.Exists(path))
            return null;
        using var state = RootFiles.Open(path, RootFiles.O_RDONLY | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC);
        return CrashRateTable.Parse(Read(state, RootFiles.Facts(state, path).Size));
    }

    private static byte[] Read(SafeFileHandle state, long size)
    {
        // A file grown past the bound by someone else is read only as far as the bound; the rest is dropped on write.
        var bytes = new byte[Math.Min(size, CrashRateTable.MaxFileBytes)];
        int done = 0;
        while (done < bytes.Length)
        {
            int n = RandomAccess.Read(state, bytes.AsSpan(done), done);
            if (n <= 0)
                break;
            done += n;
        }
        return bytes[..done];
    }

    private void RemoveOldState()
    {
        string old = Path.Combine(stateFolder, OldStateFolder);
        try
        {
            if (Directory.Exists(old))
                Directory.Delete(old, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            HandlerLog.Warning($"cannot remove the old rate-limit state {old}: {e.Message}");
        }
    }
}
