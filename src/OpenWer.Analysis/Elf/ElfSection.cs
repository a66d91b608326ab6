namespace OpenWer.Analysis.Elf;

/// <summary>A section header of an ELF64 file (Elf64_Shdr), with its name resolved.</summary>
public readonly record struct ElfSection(string Name, uint Type, ulong Flags, ulong Address, ulong Offset, ulong Size, uint Link, ulong EntrySize)
{
    public const uint TypeSymtab = 2, TypeNote = 7, TypeNoBits = 8, TypeDynsym = 11;
    /// <summary>SHF_COMPRESSED: the section's bytes start with an Elf64_Chdr (read by DebugSection).</summary>
    public const ulong FlagCompressed = 0x800;
}
