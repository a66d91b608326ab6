using OpenWer.Dumps.Selection;

namespace OpenWer.LocalDumps.Collection;

/// <summary>An upper estimate of a dump's size before it is written, for the free-space floor: all memory selected (both lists, as if nothing were shared), plus generous room per thread and module and for the fixed streams.</summary>
public static class DumpSizeEstimate
{
    private const long PerThread = 8 << 10, PerModule = 4 << 10, Fixed = 1 << 20;

    public static long Of(DumpSelection selection)
    {
        ulong memory = 0;
        foreach (var r in selection.ListedMemory)
            memory += r.Size;
        foreach (var r in selection.BulkMemory)
            memory += r.Size;
        return (long)Math.Min(memory, long.MaxValue / 2) + selection.Threads.Count * PerThread + selection.Modules.Count * PerModule + Fixed;
    }
}
