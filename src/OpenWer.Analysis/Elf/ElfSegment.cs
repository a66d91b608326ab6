namespace OpenWer.Analysis.Elf;

/// <summary>A PT_LOAD program header: where a piece of the file is mapped, relative to the load bias.</summary>
public readonly record struct ElfSegment(ulong VirtualAddress, ulong MemorySize, ulong Offset, ulong FileSize, uint Flags)
{
    public const uint FlagExecute = 1, FlagWrite = 2, FlagRead = 4;

    public bool IsExecutable => (Flags & FlagExecute) != 0;

    public bool Contains(ulong address) => address - VirtualAddress < MemorySize;
}
