using System.Globalization;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Keeps a crash loop from filling the disk: at most <c>count</c> dumps of one executable per <c>window</c>;
/// further crashes in the window are skipped and counted (the count is logged with the next dump taken).
/// State lives in /run (tmpfs, root only): one small file per executable with the recent dump times.
/// </summary>
public sealed class CrashRateLimiter(string stateFolder, int count, TimeSpan window)
{
    public const string DefaultFolder = "/run/openwer/rate";

    /// <summary>True if this crash may be dumped; <paramref name="skippedBefore"/> is how many were skipped since the last one taken.</summary>
    public bool TryTake(string executable, DateTimeOffset now, out int skipped)
    {
        skipped = 0;
        if (count <= 0)
            return true;
        Directory.CreateDirectory(stateFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.Combine(stateFolder, string.Concat(executable.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')));
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var lines = new StreamReader(file).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var times = lines.Where(l => !l.StartsWith("skipped ", StringComparison.Ordinal))
            .Select(l => long.Parse(l, CultureInfo.InvariantCulture)).Where(t => now.ToUnixTimeMilliseconds() - t < window.TotalMilliseconds).ToList();
        skipped = lines.Where(l => l.StartsWith("skipped ", StringComparison.Ordinal)).Select(l => int.Parse(l[8..], CultureInfo.InvariantCulture)).FirstOrDefault();
        bool take = times.Count < count;
        if (take)
            times.Add(now.ToUnixTimeMilliseconds());
        int pending = take ? 0 : skipped + 1;
        file.SetLength(0);
        using var writer = new StreamWriter(file);
        foreach (var t in times)
            writer.Write($"{t}\n");
        if (pending > 0)
            writer.Write($"skipped {pending}\n");
        if (!take)
            skipped = pending;
        return take;
    }
}
