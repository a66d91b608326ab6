namespace OpenWer.Snapshot;

/// <summary>A half-open range of a process's addresses, [Start, End).</summary>
public interface IAddressRange
{
    ulong Start { get; }
    ulong End { get; }
}

public static class AddressRanges
{
    /// <summary>
    /// The index of the range holding <paramref name="address"/> in <paramref name="sorted"/> (sorted by start, not
    /// overlapping), or -1: a binary search, as a stack scan asks it for every word.
    /// </summary>
    public static int IndexOf<T>(IReadOnlyList<T> sorted, ulong address) where T : IAddressRange
    {
        int lo = 0, hi = sorted.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var r = sorted[mid];
            if (address < r.Start) hi = mid - 1;
            else if (address >= r.End) lo = mid + 1;
            else return mid;
        }
        return -1;
    }
}
