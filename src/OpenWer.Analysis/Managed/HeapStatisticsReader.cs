using Microsoft.Diagnostics.Runtime;
using OpenWer.Format;

namespace OpenWer.Analysis.Managed;

/// <summary>
/// Counts the GC heap's objects by type, as SOS's dumpheap -stat does (free space included, under the type "Free").
/// Only a dump that holds the process's private read-write memory holds the heap (MINIDUMP_TYPE WithFullMemory or
/// WithPrivateReadWriteMemory: wer's heap and full types); a mini dump's answer is a problem, not an empty heap.
/// </summary>
public static class HeapStatisticsReader
{
    public const MinidumpType HeapFlags = MinidumpType.WithFullMemory | MinidumpType.WithPrivateReadWriteMemory;

    /// <summary>Why a dump of this type holds no GC heap, or null when it does.</summary>
    public static string? NotInDump(MinidumpType dumpType) => (dumpType & HeapFlags) == 0
        ? $"the GC heap is not in the dump (MINIDUMP_TYPE 0x{(uint)dumpType:x}: a mini dump; take a heap or full dump)"
        : null;

    public static HeapStatistics Read(ClrRuntime runtime, MinidumpType dumpType)
    {
        if (NotInDump(dumpType) is { } problem)
            return HeapStatistics.Unavailable(problem);
        var heap = runtime.Heap;
        if (!heap.CanWalkHeap)
            return HeapStatistics.Unavailable("the GC heap cannot be walked (the dump was taken during a garbage collection)");
        var byType = new Dictionary<ulong, (string Name, long Count, ulong Size)>();
        foreach (var obj in heap.EnumerateObjects())
        {
            if (obj.Type is not { } type)
                continue;
            if (byType.TryGetValue(type.MethodTable, out var seen))
                byType[type.MethodTable] = (seen.Name, seen.Count + 1, seen.Size + obj.Size);
            else
                byType[type.MethodTable] = (type.Name ?? $"<type 0x{type.MethodTable:x}>", 1, obj.Size);
        }
        var types = byType.Select(p => new HeapTypeCount(p.Value.Name, p.Key, p.Value.Count, p.Value.Size))
            .OrderByDescending(t => t.TotalSize).ThenBy(t => t.TypeName, StringComparer.Ordinal).ToList();
        return new HeapStatistics(types, null);
    }
}
