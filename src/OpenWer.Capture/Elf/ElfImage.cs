using System.Buffers.Binary;
using System.Text;

namespace OpenWer.Capture.Elf;

/// <summary>
/// The parts of a little-endian ELF image (64- or 32-bit) a dump needs: PT_LOAD segments, the GNU build-id note and
/// DT_SONAME. Read through a delegate so the same code serves a file on disk and an image in memory (the vDSO).
/// Every count and offset taken from the image is bounded.
/// </summary>
public sealed class ElfImage
{
    public const uint PT_LOAD = 1, PT_DYNAMIC = 2, PT_NOTE = 4;
    public const uint PF_X = 1, PF_W = 2;
    private const int MaxProgramHeaders = 256;
    private const int MaxNoteBytes = 64 * 1024;

    public IReadOnlyList<ProgramHeader> ProgramHeaders { get; }
    public byte[]? BuildId { get; }
    public string? SoName { get; }
    /// <summary>ELFCLASS64; false for ELFCLASS32 (i386, arm32, x32).</summary>
    public bool Is64Bit { get; }
    /// <summary>e_machine: EM_386 3, EM_ARM 40, EM_X86_64 62, EM_AARCH64 183.</summary>
    public ushort Machine { get; }
    public const ushort EM_386 = 3, EM_ARM = 40, EM_X86_64 = 62, EM_AARCH64 = 183;

    private readonly Func<long, Span<byte>, int> _readAt;

    private ElfImage(Func<long, Span<byte>, int> readAt, List<ProgramHeader> headers, bool is64, ushort machine)
    {
        _readAt = readAt;
        ProgramHeaders = headers;
        Is64Bit = is64;
        Machine = machine;
        BuildId = FindBuildId();
        SoName = FindSoName();
    }

    public static bool HasElfMagic(ReadOnlySpan<byte> header) =>
        header.Length >= 4 && header[0] == 0x7F && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F';

    /// <summary>Parses an image, or returns null when it is not a little-endian ELF file of either class.</summary>
    public static ElfImage? TryParse(Func<long, Span<byte>, int> readAt)
    {
        Span<byte> ehdr = stackalloc byte[64];
        int got = readAt(0, ehdr);
        if (got < 52 || !HasElfMagic(ehdr) || ehdr[4] is not (1 or 2) || ehdr[5] != 1)
            return null;
        bool is64 = ehdr[4] == 2;
        if (is64 && got < 64)
            return null;
        // Elf64_Ehdr: e_phoff u64 @0x20, e_phentsize @0x36, e_phnum @0x38; Elf32_Ehdr: e_phoff u32 @0x1C, @0x2A, @0x2C.
        ulong phoff = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(ehdr[0x20..]) : BinaryPrimitives.ReadUInt32LittleEndian(ehdr[0x1C..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(ehdr[(is64 ? 0x36 : 0x2A)..]);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(ehdr[(is64 ? 0x38 : 0x2C)..]);
        if (phentsize < (is64 ? 56 : 32) || phnum > MaxProgramHeaders || phoff > int.MaxValue)
            return null;
        var table = new byte[phentsize * phnum];
        if (readAt((long)phoff, table) < table.Length)
            return null;
        var headers = new List<ProgramHeader>(phnum);
        for (int i = 0; i < phnum; i++)
        {
            var p = table.AsSpan(i * phentsize);
            headers.Add(is64
                ? new ProgramHeader(BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(p[32..]), BinaryPrimitives.ReadUInt64LittleEndian(p[40..]))
                // Elf32_Phdr: p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align (u32 each).
                : new ProgramHeader(BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[24..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(p[4..]), BinaryPrimitives.ReadUInt32LittleEndian(p[8..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(p[16..]), BinaryPrimitives.ReadUInt32LittleEndian(p[20..])));
        }
        return new ElfImage(readAt, headers, is64, BinaryPrimitives.ReadUInt16LittleEndian(ehdr[0x12..]));
    }

    public static ElfImage? TryParse(byte[] image) => TryParse((offset, dest) =>
    {
        if (offset < 0 || offset >= image.Length) return 0;
        int n = (int)Math.Min(dest.Length, image.Length - offset);
        image.AsSpan((int)offset, n).CopyTo(dest);
        return n;
    });

    /// <summary>The lowest PT_LOAD virtual address, page-rounded down: the link-time address of the image's start.</summary>
    public ulong MinLoadAddress => ProgramHeaders.Where(p => p.Type == PT_LOAD).Select(p => p.VirtualAddress & ~0xFFFUL).DefaultIfEmpty(0UL).Min();

    /// <summary>The end of the highest PT_LOAD segment, page-rounded up.</summary>
    public ulong MaxLoadEnd => ProgramHeaders.Where(p => p.Type == PT_LOAD).Select(p => (p.VirtualAddress + p.MemorySize + 0xFFF) & ~0xFFFUL).DefaultIfEmpty(0UL).Max();

    /// <summary>The PT_LOAD segments, page-rounded, at their runtime addresses for an image whose start is at <paramref name="imageStart"/>.</summary>
    public List<Snapshot.ModuleSegment> LoadedSegments(ulong imageStart)
    {
        ulong bias = imageStart - MinLoadAddress;
        return ProgramHeaders.Where(p => p.Type == PT_LOAD)
            .Select(p => new Snapshot.ModuleSegment(bias + (p.VirtualAddress & ~0xFFFUL), bias + ((p.VirtualAddress + p.MemorySize + 0xFFF) & ~0xFFFUL),
                (p.Flags & PF_W) != 0, (p.Flags & PF_X) != 0))
            .ToList();
    }

    private byte[]? FindBuildId()
    {
        foreach (var note in ProgramHeaders.Where(p => p.Type == PT_NOTE))
        {
            int size = (int)Math.Min(note.FileSize, MaxNoteBytes);
            var bytes = new byte[size];
            int n = _readAt((long)note.Offset, bytes);
            var span = bytes.AsSpan(0, Math.Max(0, n));
            while (span.Length >= 12)
            {
                uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(span);
                uint descSize = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
                long nameEnd = 12 + ((nameSize + 3) & ~3L);
                long descEnd = nameEnd + ((descSize + 3) & ~3L);
                if (descEnd > span.Length || nameSize > 256)
                    break;
                if (type == 3 && nameSize == 4 && span.Slice(12, 4).SequenceEqual("GNU\0"u8))
                    return span.Slice((int)nameEnd, (int)descSize).ToArray();
                span = span[(int)descEnd..];
            }
        }
        return null;
    }

    private string? FindSoName()
    {
        var dynamic = ProgramHeaders.FirstOrDefault(p => p.Type == PT_DYNAMIC);
        if (dynamic.Type != PT_DYNAMIC || dynamic.FileSize == 0 || dynamic.FileSize > 1 << 20)
            return null;
        var bytes = new byte[dynamic.FileSize];
        int n = _readAt((long)dynamic.Offset, bytes);
        ulong strtab = 0, soname = ulong.MaxValue;
        // Elf64_Dyn is {i64 d_tag, u64 d_val}, Elf32_Dyn {i32, u32}.
        int entry = Is64Bit ? 16 : 8;
        for (int i = 0; i + entry <= n; i += entry)
        {
            long tag = Is64Bit ? BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i)) : BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i));
            ulong value = Is64Bit ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i + 8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 4));
            if (tag == 0) break;
            if (tag == 5) strtab = value;
            if (tag == 14) soname = value;
        }
        if (soname == ulong.MaxValue || !TryVirtualToOffset(strtab, out ulong tableOffset))
            return null;
        var name = new byte[256];
        int got = _readAt((long)(tableOffset + soname), name);
        int end = name.AsSpan(0, Math.Max(0, got)).IndexOf((byte)0);
        return end > 0 ? Encoding.UTF8.GetString(name, 0, end) : null;
    }

    /// <summary>Maps a link-time virtual address to an offset in the image through the PT_LOAD segments.</summary>
    public bool TryVirtualToOffset(ulong address, out ulong offset)
    {
        foreach (var p in ProgramHeaders)
        {
            if (p.Type == PT_LOAD && address >= p.VirtualAddress && address < p.VirtualAddress + p.FileSize)
            {
                offset = p.Offset + (address - p.VirtualAddress);
                return true;
            }
        }
        offset = 0;
        return false;
    }
}

/// <summary>An Elf64_Phdr or Elf32_Phdr, widened.</summary>
public readonly record struct ProgramHeader(uint Type, uint Flags, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize);
