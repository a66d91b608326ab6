namespace OpenWer.Analysis.Managed;

/// <summary>
/// The GC heap by type, largest total size first (dumpheap -stat's lines, in the reverse order), or why there are
/// none: a mini dump holds no heap.
/// </summary>
public sealed record HeapStatistics(IReadOnlyList<HeapTypeCount> Types, string? Problem)
{
    public long ObjectCount => Types.Sum(t => t.Count);

    public ulong TotalSize => Types.Aggregate(0UL, (sum, t) => sum + t.TotalSize);

    public static HeapStatistics Unavailable(string problem) => new([], problem);
}
