using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Selection;

/// <summary>A union of address ranges, kept sorted and disjoint (Breakpad's processor drops overlapping MemoryList ranges).</summary>
public sealed class RangeSet
{
    private readonly List<MemoryRange> _pending = [];

    public void Add(ulong start, ulong end)
    {
        if (end > start)
            _pending.Add(new MemoryRange(start, end - start));
    }

    public void Add(MemoryRange range) => Add(range.Start, range.End);

    /// <summary>The union, sorted, with overlapping and touching ranges merged.</summary>
    public List<MemoryRange> ToList()
    {
        var result = new List<MemoryRange>();
        foreach (var r in _pending.OrderBy(r => r.Start))
        {
            if (result.Count > 0 && r.Start <= result[^1].End)
            {
                var last = result[^1];
                if (r.End > last.End)
                    result[^1] = new MemoryRange(last.Start, r.End - last.Start);
            }
            else
            {
                result.Add(r);
            }
        }
        return result;
    }

    /// <summary>Sorted, disjoint <paramref name="ranges"/> with every part that is in sorted, disjoint <paramref name="holes"/> cut out.</summary>
    public static List<MemoryRange> Without(IReadOnlyList<MemoryRange> ranges, IReadOnlyList<MemoryRange> holes)
    {
        var result = new List<MemoryRange>();
        int h = 0;
        foreach (var r in ranges)
        {
            ulong start = r.Start;
            while (h < holes.Count && holes[h].End <= start)
                h++;
            for (int k = h; k < holes.Count && holes[k].Start < r.End; k++)
            {
                if (holes[k].Start > start)
                    result.Add(new MemoryRange(start, holes[k].Start - start));
                start = Math.Max(start, holes[k].End);
            }
            if (start < r.End)
                result.Add(new MemoryRange(start, r.End - start));
        }
        return result;
    }
}
