using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>
/// MDRawDebug64 (40 bytes, naturally aligned), the head of Breakpad's LINUX_DSO_DEBUG stream: the dynamic linker's
/// r_debug of a 64-bit process; for a 32-bit one MDRawDebug32 (24 bytes, every field 4 bytes), as a 32-bit
/// writer lays its native structs out. <see cref="Map"/> is the RVA of <see cref="DsoCount"/> <see cref="LinkMapEntry"/>s; the
/// executable's PT_DYNAMIC, copied from memory, follows this header in the stream. minidump-2-core rebuilds r_debug,
/// the link_map chain and the dynamic section from it, so gdb finds the shared libraries in the converted core.
/// </summary>
public readonly record struct LinuxDsoDebug(uint Version, uint Map, uint DsoCount, ulong Brk, ulong LdBase, ulong Dynamic)
{
    public const int Size = 40, Size32 = 24;

    public static int SizeFor(bool wide) => wide ? Size : Size32;

    public void Write(Span<byte> d, bool wide = true)
    {
        if (!wide)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d, Version);
            BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Map);
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], DsoCount);
            BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)Brk);
            BinaryPrimitives.WriteUInt32LittleEndian(d[16..], (uint)LdBase);
            BinaryPrimitives.WriteUInt32LittleEndian(d[20..], (uint)Dynamic);
            return;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(d, Version);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Map);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], DsoCount);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Brk);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], LdBase);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], Dynamic);
    }

    public static LinuxDsoDebug Read(ReadOnlySpan<byte> s, bool wide = true) => wide
        ? new(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), BinaryPrimitives.ReadUInt64LittleEndian(s[32..]))
        : new(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..]), BinaryPrimitives.ReadUInt32LittleEndian(s[20..]));
}

/// <summary>
/// MDRawLinkMap64 (24 bytes): one link_map entry, l_addr (the load bias), the RVA of l_name as a MINIDUMP_STRING, l_ld;
/// MDRawLinkMap32 (12 bytes) for a 32-bit process.
/// </summary>
public readonly record struct LinkMapEntry(ulong Address, uint Name, ulong Dynamic)
{
    public const int Size = 24, Size32 = 12;

    public static int SizeFor(bool wide) => wide ? Size : Size32;

    public void Write(Span<byte> d, bool wide = true)
    {
        if (!wide)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d, (uint)Address);
            BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Name);
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)Dynamic);
            return;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(d, Address);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Name);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Dynamic);
    }

    public static LinkMapEntry Read(ReadOnlySpan<byte> s, bool wide = true) => wide
        ? new(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]))
        : new(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
}
