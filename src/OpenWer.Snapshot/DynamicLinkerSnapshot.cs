namespace OpenWer.Snapshot;

/// <summary>
/// The dynamic linker's r_debug as the process held it: the link_map chain (every loaded object, in load order) and
/// the executable's dynamic section (found through DT_DEBUG). Breakpad's LINUX_DSO_DEBUG stream carries it.
/// </summary>
public sealed record DynamicLinkerSnapshot(int Version, ulong Brk, ulong LdBase, ulong DynamicAddress, byte[] DynamicSection,
    IReadOnlyList<LoadedObject> Objects);

/// <summary>One link_map entry: l_addr (the difference between the object's addresses in memory and in its file), l_name, l_ld.</summary>
public readonly record struct LoadedObject(ulong LoadBias, string Name, ulong DynamicAddress);
