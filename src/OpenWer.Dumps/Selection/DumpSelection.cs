using OpenWer.Snapshot;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Selection;

/// <summary>What of a snapshot goes into the file: decided by <see cref="DumpSelector"/>, laid out by the composer.</summary>
public sealed record DumpSelection(
    MinidumpType Flags,
    IReadOnlyList<ThreadSnapshot> Threads,
    IReadOnlyDictionary<int, MemoryRange> Stacks,
    IReadOnlyList<ModuleSnapshot> Modules,
    /// <summary>Ranges for MemoryList: below 4 GiB of file offset, read by every reader; sorted, disjoint.</summary>
    IReadOnlyList<MemoryRange> ListedMemory,
    /// <summary>Ranges for Memory64List (heap and full dumps): everything selected that MemoryList does not hold; sorted, disjoint, and disjoint from MemoryList.</summary>
    IReadOnlyList<MemoryRange> BulkMemory,
    /// <summary>Stack ranges whose words are filtered (FilterMemory): only pointers needed for a stack walk are kept.</summary>
    bool FilterStacks,
    bool StripModulePaths)
{
    /// <summary>Bases of modules written without their CodeView (build-id) record (ModuleWriteCvRecord cleared).</summary>
    public IReadOnlySet<ulong> ModulesWithoutCodeView { get; init; } = new HashSet<ulong>();

    public bool Has(MinidumpType flag) => (Flags & flag) == flag;
}
