using System.Globalization;
using System.Text;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The rate limiter's memory: for each executable seen recently, the times of its dumps in the window, the crashes
/// skipped since the last dump and when it was last seen. Bounded whatever users do: at most
/// <see cref="MaxExecutables"/> rows (executables not seen within the window are dropped, then the least recently
/// seen), at most <see cref="MaxTimes"/> times a row, names already escaped to one line and cut at <see cref="MaxNameChars"/>.
/// One row a line: <c>lastSeenMs skipped t1,t2,... name</c>; a line that does not parse (a write cut short) is dropped.
/// </summary>
public sealed class CrashRateTable
{
    public const int MaxExecutables = 256;
    public const int MaxTimes = 1000;
    public const int MaxNameChars = 1024;
    public const int MaxFileBytes = MaxExecutables * (MaxNameChars + 16 * MaxTimes + 48);

    private sealed record Row(long LastSeen, int Skipped, List<long> Times);

    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);

    public int Count => _rows.Count;

    public IEnumerable<string> Executables => _rows.Keys;

    public static CrashRateTable Parse(ReadOnlySpan<byte> bytes)
    {
        var table = new CrashRateTable();
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            var f = line.Split(' ', 4);
            if (f.Length == 4 && Long(f[0]) is { } seen && Long(f[1]) is { } skipped && skipped is >= 0 and <= int.MaxValue && f[3].Length > 0)
            {
                var times = f[2] == "-" ? [] : f[2].Split(',').Select(Long).ToList();
                if (times.All(t => t is not null))
                    table._rows[f[3]] = new Row(seen, (int)skipped, times.Select(t => t!.Value).Take(MaxTimes).ToList());
            }
        }
        return table;
    }

    /// <summary>Counts a crash of <paramref name="name"/> at <paramref name="now"/>: true if it is within <paramref name="count"/> per window.</summary>
    public bool TryTake(string name, long now, int count, long window, out int skipped)
    {
        if (name.Length > MaxNameChars)
            name = name[..MaxNameChars];
        foreach (var stale in _rows.Where(r => now - r.Value.LastSeen >= window).Select(r => r.Key).ToList())
            _rows.Remove(stale);
        var row = _rows.GetValueOrDefault(name) ?? new Row(now, 0, []);
        var times = row.Times.Where(t => now - t < window).ToList();
        bool take = times.Count < Math.Min(count, MaxTimes);
        if (take)
            times.Add(now);
        skipped = take ? row.Skipped : row.Skipped + 1;
        _rows[name] = new Row(now, take ? 0 : skipped, times);
        while (_rows.Count > MaxExecutables)
            _rows.Remove(_rows.MinBy(r => r.Value.LastSeen).Key);
        return take;
    }

    public byte[] Serialize()
    {
        var text = new StringBuilder();
        foreach (var (name, row) in _rows)
            text.Append(CultureInfo.InvariantCulture, $"{row.LastSeen} {row.Skipped} {(row.Times.Count == 0 ? "-" : string.Join(',', row.Times))} {name}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static long? Long(string s) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
}
