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
}
