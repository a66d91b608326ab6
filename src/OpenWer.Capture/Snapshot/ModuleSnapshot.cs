namespace OpenWer.Capture.Snapshot;

/// <summary>
/// A loaded image: an ELF file (or the vDSO) merged from its mappings, or a PE file mapped by the .NET runtime.
/// Base is the address of the image's header; Size spans its PT_LOAD segments.
/// </summary>
public sealed record ModuleSnapshot(string Path, string Name, ulong Base, ulong Size, byte[]? BuildId, ModuleKind Kind,
    uint TimeDateStamp, IReadOnlyList<ModuleSegment> Segments);

public enum ModuleKind { Elf, Vdso, PortableExecutable }

/// <summary>A PT_LOAD segment at its runtime address, page-rounded.</summary>
public readonly record struct ModuleSegment(ulong Start, ulong End, bool Write, bool Execute);
