namespace OpenWer.Snapshot;

/// <summary>
/// A loaded image: an ELF file (or the vDSO) merged from its mappings, or a PE file mapped by the .NET runtime.
/// Base is the address of the image's header. Size is what the module list says: for an ELF image, from its header
/// to the end of its last executable segment, as Breakpad's writer covers it (readers that scan stacks without
/// symbols take any address inside a module for a return address; docs/dump-contents.md has the measured effect);
/// for a PE image, its SizeOfImage. The image's memory, .data and .bss included, is <see cref="Holds"/>.
/// </summary>
public sealed record ModuleSnapshot(string Path, string Name, ulong Base, ulong Size, byte[]? BuildId, ModuleKind Kind,
    uint TimeDateStamp, IReadOnlyList<ModuleSegment> Segments)
{
    /// <summary>The end of all the image maps: its PT_LOAD segments (.data and .bss included), or Size without them.</summary>
    /// <remarks>Computed once: <see cref="Holds"/> is asked for every stack word of a scanned dump.</remarks>
    public ulong LoadEnd { get; } = Segments.Count > 0 ? Math.Max(Base + Size, Segments.Max(s => s.End)) : Base + Size;

    /// <summary>Whether the address is in the image's memory (any of its segments' span), not only in its listed Size.</summary>
    public bool Holds(ulong address) => address >= Base && address < LoadEnd;
}

public enum ModuleKind { Elf, Vdso, PortableExecutable }

/// <summary>A PT_LOAD segment at its runtime address, page-rounded.</summary>
public readonly record struct ModuleSegment(ulong Start, ulong End, bool Write, bool Execute);
