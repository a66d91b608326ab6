using OpenWer.Format.Writing;

namespace OpenWer.Capture.Snapshot;

/// <summary>
/// What a process looked like at one moment, from whichever source (a live process, a core stream, another dump).
/// Memory is read through <see cref="Memory"/>, valid for as long as the source is held.
/// </summary>
public sealed record ProcessSnapshot(
    int ProcessId,
    string ExecutablePath,
    IReadOnlyList<ThreadSnapshot> Threads,
    IReadOnlyList<ModuleSnapshot> Modules,
    IReadOnlyList<Mapping> Mappings,
    IReadOnlyList<OpenHandle> Handles,
    ProcessFiles Files,
    SystemFacts System,
    ThreadTimes ProcessTimes,
    ExceptionSnapshot? Exception,
    IMemorySource Memory)
{
    /// <summary>r_debug and the link_map chain, when the process is dynamically linked and its linker had set DT_DEBUG.</summary>
    public DynamicLinkerSnapshot? DynamicLinker { get; init; }

    public Mapping? FindMapping(ulong address)
    {
        int lo = 0, hi = Mappings.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var m = Mappings[mid];
            if (address < m.Start) hi = mid - 1;
            else if (address >= m.End) lo = mid + 1;
            else return m;
        }
        return null;
    }
}
