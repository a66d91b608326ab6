using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace OpenWer.Analysis.Elf;

/// <summary>
/// A little-endian ELF64 file on disk (an executable, a shared library or a separate debug file): its loadable
/// segments, sections and GNU build-id. Every offset and size taken from the file is checked against its length.
/// </summary>
public sealed class ElfFile : IDisposable
{
    /// <summary>No section we read (symbol tables, .eh_frame) is larger than this.</summary>
    public const long MaxSectionSize = 256L << 20;
    private const int MaxHeaders = 4096;
    private const uint PtLoad = 1, PtNote = 4;
    private const uint NtGnuBuildId = 3;
    private readonly SafeFileHandle _file;

    public string Path { get; }
    public long Length { get; }
    public ushort Machine { get; }
    public IReadOnlyList<ElfSegment> LoadSegments { get; }
    public IReadOnlyList<ElfSection> Sections { get; }
    public byte[]? BuildId { get; }

    private ElfFile(string path, SafeFileHandle file)
    {
        Path = path;
        _file = file;
        Length = RandomAccess.GetLength(file);
        var header = Read(0, 64) ?? throw new InvalidDataException($"{path}: shorter than an ELF header");
        if (header[0] != 0x7F || !header.AsSpan(1, 3).SequenceEqual("ELF"u8))
            throw new InvalidDataException($"{path}: not an ELF file");
        if (header[4] != 2 || header[5] != 1)
            throw new InvalidDataException($"{path}: not a little-endian 64-bit ELF file");
        Machine = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32));
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(40));
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(54)), phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(56));
        ushort shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(58)), shnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(60));
        ushort shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(62));

        var loads = new List<ElfSegment>();
        var notes = new List<(ulong Offset, ulong Size)>();
        if (phentsize >= 56 && phnum <= MaxHeaders && Read(phoff, phentsize * phnum) is { } phdrs)
        {
            for (int i = 0; i < phnum; i++)
            {
                var p = phdrs.AsSpan(i * phentsize);
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(p);
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), fileSize = BinaryPrimitives.ReadUInt64LittleEndian(p[32..]);
                if (type == PtLoad)
                    loads.Add(new ElfSegment(BinaryPrimitives.ReadUInt64LittleEndian(p[16..]), BinaryPrimitives.ReadUInt64LittleEndian(p[40..]),
                        offset, fileSize, BinaryPrimitives.ReadUInt32LittleEndian(p[4..])));
                else if (type == PtNote)
                    notes.Add((offset, fileSize));
            }
        }
        LoadSegments = loads;
        Sections = ReadSections(shoff, shentsize, shnum, shstrndx);
        foreach (var s in Sections)
            if (s.Type == ElfSection.TypeNote)
                notes.Insert(0, (s.Offset, s.Size));
        BuildId = notes.Select(n => FindBuildId(n.Offset, n.Size)).FirstOrDefault(id => id is not null);
    }

    /// <summary>Opens an ELF file, or returns null (with why) when it is missing, unreadable or not ELF64.</summary>
    public static ElfFile? TryOpen(string path, out string? problem)
    {
        problem = null;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = $"{path}: {e.Message}";
            return null;
        }
        try
        {
            return new ElfFile(path, handle);
        }
        catch (InvalidDataException e)
        {
            handle.Dispose();
            problem = e.Message;
            return null;
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The lowest PT_LOAD address, page-aligned: the file's first mapping, which the module's base address is.</summary>
    public ulong ImageBase => LoadSegments.Count == 0 ? 0 : LoadSegments.Min(s => s.VirtualAddress) & ~0xFFFUL;

    public ElfSection? FindSection(string name)
    {
        foreach (var s in Sections)
            if (s.Name == name) return s;
        return null;
    }

    /// <summary>A section's bytes, or null if it has none in the file (NOBITS, compressed, out of bounds, too large).</summary>
    public byte[]? ReadSection(ElfSection section)
    {
        if (section.Type == ElfSection.TypeNoBits || (section.Flags & ElfSection.FlagCompressed) != 0 || section.Size > MaxSectionSize)
            return null;
        return Read(section.Offset, (long)section.Size);
    }

    /// <summary>A section's bytes as stored, compressed or not, or null if it has none in the file (NOBITS, out of bounds, too large).</summary>
    public byte[]? ReadStoredSection(ElfSection section) =>
        section.Type == ElfSection.TypeNoBits || section.Size > MaxSectionSize ? null : Read(section.Offset, (long)section.Size);

    /// <summary>Bytes at a link-time virtual address, from the loadable segment that holds them in the file.</summary>
    public int ReadVirtual(ulong address, Span<byte> destination)
    {
        foreach (var s in LoadSegments)
        {
            if (address - s.VirtualAddress >= s.FileSize)
                continue;
            ulong inSegment = address - s.VirtualAddress;
            int n = (int)Math.Min((ulong)destination.Length, s.FileSize - inSegment);
            ulong offset = s.Offset + inSegment;
            if (offset > (ulong)Length || (ulong)n > (ulong)Length - offset)
                return 0;
            return RandomAccess.Read(_file, destination[..n], (long)offset);
        }
        return 0;
    }

    /// <summary>The segment that holds a link-time address, if any.</summary>
    public ElfSegment? SegmentAt(ulong address)
    {
        foreach (var s in LoadSegments)
            if (s.Contains(address)) return s;
        return null;
    }

    private byte[]? Read(ulong offset, long size)
    {
        if (size < 0 || offset > (ulong)Length || (ulong)size > (ulong)Length - offset)
            return null;
        var bytes = new byte[size];
        return RandomAccess.Read(_file, bytes, (long)offset) == size ? bytes : null;
    }

    private List<ElfSection> ReadSections(ulong shoff, ushort entrySize, ushort count, ushort namesIndex)
    {
        var sections = new List<ElfSection>();
        if (shoff == 0 || entrySize < 64 || count > MaxHeaders || Read(shoff, entrySize * count) is not { } shdrs)
            return sections;
        var raw = new List<(uint Name, ElfSection Section)>();
        for (int i = 0; i < count; i++)
        {
            var s = shdrs.AsSpan(i * entrySize);
            raw.Add((BinaryPrimitives.ReadUInt32LittleEndian(s), new ElfSection("", BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[8..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(s[40..]), BinaryPrimitives.ReadUInt64LittleEndian(s[56..]))));
        }
        byte[]? names = namesIndex < raw.Count && raw[namesIndex].Section.Size <= 1 << 20 ? Read(raw[namesIndex].Section.Offset, (long)raw[namesIndex].Section.Size) : null;
        foreach (var (name, section) in raw)
            sections.Add(section with { Name = names is null ? "" : StringAt(names, name) });
        return sections;
    }

    /// <summary>A NUL-terminated string in a string table, or "" when the offset is outside it.</summary>
    public static string StringAt(byte[] table, uint offset)
    {
        if (offset >= table.Length)
            return "";
        int end = Array.IndexOf(table, (byte)0, (int)offset);
        return Encoding.UTF8.GetString(table, (int)offset, (end < 0 ? table.Length : end) - (int)offset);
    }

    private byte[]? FindBuildId(ulong offset, ulong size)
    {
        if (size > 1 << 20 || Read(offset, (long)size) is not { } notes)
            return null;
        int at = 0;
        while (at + 12 <= notes.Length)
        {
            uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(notes.AsSpan(at)), descSize = BinaryPrimitives.ReadUInt32LittleEndian(notes.AsSpan(at + 4));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes.AsSpan(at + 8));
            long nameEnd = at + 12L + ((nameSize + 3) & ~3u), descEnd = nameEnd + ((descSize + 3) & ~3u);
            if (nameSize > notes.Length || descSize > notes.Length || nameEnd + descSize > notes.Length)
                return null;
            if (type == NtGnuBuildId && nameSize == 4 && notes.AsSpan(at + 12, 4).SequenceEqual("GNU\0"u8))
                return notes.AsSpan((int)nameEnd, (int)descSize).ToArray();
            at = (int)Math.Min(descEnd, notes.Length);
        }
        return null;
    }
}
