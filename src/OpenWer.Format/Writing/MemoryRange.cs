namespace OpenWer.Format.Writing;

/// <summary>A range of a process's address space.</summary>
public readonly record struct MemoryRange(ulong Start, ulong Size)
{
    public ulong End => Start + Size;

    public bool Contains(ulong address) => address >= Start && address - Start < Size;

    public override string ToString() => $"0x{Start:x}-0x{End:x}";
}
