using OpenWer.Snapshot;

namespace OpenWer.Dumps.Cores;

/// <summary>One PT_LOAD of the core: its addresses, permissions, and whether the core holds its bytes.</summary>
public readonly record struct CoreLoad(ulong Start, ulong End, bool Read, bool Write, bool Execute, bool Held)
{
    public ulong Size => End - Start;
}

/// <summary>
/// The PT_LOAD segments of a core: every mapping, cut where the dump holds its memory and where it does not. The
/// parts held carry their bytes; a file-backed part not held is a segment without bytes (p_filesz 0), which gdb reads
/// from the file NT_FILE names; an anonymous part not held is left out, so that gdb says it cannot read it rather
/// than showing zeros. Memory held outside every mapping (a dump without LINUX_MAPS) is a readable segment of its own.
/// </summary>
public static class CoreSegmentPlan
{
    /// <param name="held">The ranges whose bytes the core carries, sorted by start, not overlapping.</param>
    public static List<CoreLoad> For(IReadOnlyList<Mapping> mappings, IReadOnlyList<(ulong Start, ulong End)> held)
    {
        var loads = new List<CoreLoad>();
        foreach (var m in mappings.OrderBy(m => m.Start))
        {
            ulong at = m.Start;
            foreach (var (start, end) in held)
            {
                if (end <= at || start >= m.End)
                    continue;
                ulong from = Math.Max(start, at), to = Math.Min(end, m.End);
                if (from > at && m.IsFileBacked)
                    loads.Add(new CoreLoad(at, from, m.Read, m.Write, m.Execute, Held: false));
                loads.Add(new CoreLoad(from, to, m.Read, m.Write, m.Execute, Held: true));
                at = to;
            }
            if (at < m.End && m.IsFileBacked)
                loads.Add(new CoreLoad(at, m.End, m.Read, m.Write, m.Execute, Held: false));
        }
        // What no mapping covers (the mappings are sorted and do not overlap).
        var sorted = mappings.OrderBy(m => m.Start).ToList();
        foreach (var (start, end) in held)
        {
            ulong at = start;
            foreach (var m in sorted)
            {
                if (m.End <= at || m.Start >= end)
                    continue;
                if (m.Start > at)
                    loads.Add(new CoreLoad(at, m.Start, true, true, false, Held: true));
                at = Math.Max(at, m.End);
            }
            if (at < end)
                loads.Add(new CoreLoad(at, end, true, true, false, Held: true));
        }
        return [.. loads.OrderBy(l => l.Start)];
    }

    /// <summary>Sorted, merged ranges: adjacent and overlapping ones become one.</summary>
    public static List<(ulong Start, ulong End)> Merge(IEnumerable<(ulong Start, ulong End)> ranges)
    {
        var merged = new List<(ulong Start, ulong End)>();
        foreach (var r in ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && r.Start <= merged[^1].End)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, r.End));
            else
                merged.Add(r);
        }
        return merged;
    }
}
