using System.Buffers.Binary;
using System.Text;

namespace OpenWer.Capture.Elf;

/// <summary>
/// One symbol's link-time value from a 64-bit ELF file's .dynsym (found through the section headers, with its
/// .dynstr): what capture needs of a library's symbols, no more. The file is the mapped file itself (map_files);
/// its sizes are checked, so a hostile file costs a bounded read and gives no symbol.
/// </summary>
public static class ElfDynamicSymbols
{
    private const uint SHT_DYNSYM = 11;
    private const int SectionHeaderSize = 64, SymbolSize = 24;
    private const ulong MaxTable = 16 << 20;

    public static ulong? Find(Func<long, Span<byte>, int> readAt, string name)
    {
        Span<byte> header = stackalloc byte[64];
        if (readAt(0, header) != header.Length || header[4] != 2 /* ELFCLASS64 */ || header[5] != 1 /* little-endian */)
            return null;
        ulong sectionsAt = BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3A..]), count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3C..]);
        if (entrySize != SectionHeaderSize || count == 0 || sectionsAt > long.MaxValue / 2)
            return null;
        var sections = new byte[count * SectionHeaderSize];
        if (readAt((long)sectionsAt, sections) != sections.Length)
            return null;
        for (int i = 0; i < count; i++)
        {
            var s = sections.AsSpan(i * SectionHeaderSize, SectionHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(s[4..]) != SHT_DYNSYM)
                continue;
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(s[40..]);
            if (link >= count)
                return null;
            var strings = sections.AsSpan((int)link * SectionHeaderSize, SectionHeaderSize);
            byte[]? symbols = Read(readAt, s), names = Read(readAt, strings);
            return symbols is null || names is null ? null : Lookup(symbols, names, Encoding.ASCII.GetBytes(name));
        }
        return null;
    }

    private static byte[]? Read(Func<long, Span<byte>, int> readAt, ReadOnlySpan<byte> section)
    {
        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(section[24..]), size = BinaryPrimitives.ReadUInt64LittleEndian(section[32..]);
        if (size == 0 || size > MaxTable || offset > long.MaxValue / 2)
            return null;
        var bytes = new byte[size];
        return readAt((long)offset, bytes) == bytes.Length ? bytes : null;
    }

    private static ulong? Lookup(byte[] symbols, byte[] names, byte[] wanted)
    {
        for (int at = 0; at + SymbolSize <= symbols.Length; at += SymbolSize)
        {
            var e = symbols.AsSpan(at, SymbolSize);
            uint nameAt = BinaryPrimitives.ReadUInt32LittleEndian(e);
            ushort sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            if (sectionIndex == 0 || nameAt + (ulong)wanted.Length >= (ulong)names.Length)
                continue;
            var candidate = names.AsSpan((int)nameAt);
            if (candidate.StartsWith(wanted) && candidate[wanted.Length] == 0)
                return BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
        }
        return null;
    }
}
