using System.Globalization;
using System.Text;
using OpenWer.Format;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.Analysis.Memory;

/// <summary>
/// The process's mappings at the time of the dump, from LINUX_MAPS (the /proc/PID/maps text Breakpad and we write)
/// or else from MemoryInfoList; empty when the dump has neither.
/// </summary>
public sealed class MemoryMap
{
    private const int MaxRegions = 1 << 20;
    private readonly MappedRegion[] _regions;

    public IReadOnlyList<MappedRegion> Regions => _regions;
    /// <summary>Which stream the map came from ("LINUX_MAPS", "MemoryInfoList") or null.</summary>
    public string? Source { get; }

    private MemoryMap(IEnumerable<MappedRegion> regions, string? source)
    {
        _regions = [.. regions.Take(MaxRegions).OrderBy(r => r.Start)];
        Source = source;
    }

    public static MemoryMap Read(MinidumpReader reader)
    {
        if (reader.ReadStream(StreamType.LinuxMaps) is { } maps)
            return new MemoryMap(ParseMaps(Encoding.UTF8.GetString(maps)), "LINUX_MAPS");
        var info = reader.ReadMemoryInfoList();
        if (info.Count > 0)
            return new MemoryMap(info.Where(i => i.State != MemoryInfo.StateFree).Select(i => new MappedRegion(i.BaseAddress, i.BaseAddress + i.RegionSize,
                i.Protect is not MemoryInfo.PageNoAccess and not 0, MemoryInfo.IsWritable(i.Protect), MemoryInfo.IsExecutable(i.Protect), "")), "MemoryInfoList");
        return new MemoryMap([], null);
    }

    private static IEnumerable<MappedRegion> ParseMaps(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            // start-end perms offset dev inode [path]
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5 || fields[0].Split('-') is not [var from, var to] || fields[1].Length < 3)
                continue;
            if (!ulong.TryParse(from, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start) ||
                !ulong.TryParse(to, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end) || end <= start)
                continue;
            yield return new MappedRegion(start, end, fields[1][0] == 'r', fields[1][1] == 'w', fields[1][2] == 'x', fields.Length > 5 ? fields[5].Trim() : "");
        }
    }

    public MappedRegion? Find(ulong address)
    {
        int lo = 0, hi = _regions.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_regions[mid].Start <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found >= 0 && _regions[found].Contains(address) ? _regions[found] : null;
    }

    /// <summary>The nearest mapping that starts above the address (a stack grows down into the gap below it).</summary>
    public MappedRegion? NextAbove(ulong address)
    {
        foreach (var r in _regions)
            if (r.Start > address) return r;
        return null;
    }
}
