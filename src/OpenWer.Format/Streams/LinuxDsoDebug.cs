using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>
/// MDRawDebug64 (40 bytes, naturally aligned), the head of Breakpad's LINUX_DSO_DEBUG stream: the dynamic linker's
/// r_debug of a 64-bit process. <see cref="Map"/> is the RVA of <see cref="DsoCount"/> <see cref="LinkMapEntry"/>s; the
/// executable's PT_DYNAMIC, copied from memory, follows this header in the stream. minidump-2-core rebuilds r_debug,
/// the link_map chain and the dynamic section from it, so gdb finds the shared libraries in the converted core.
/// </summary>
public readonly record struct LinuxDsoDebug(uint Version, uint Map, uint DsoCount, ulong Brk, ulong LdBase, ulong Dynamic)
{
    public const int Size = 40;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Version);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Map);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], DsoCount);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Brk);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], LdBase);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], Dynamic);
    }

    public static LinuxDsoDebug Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), BinaryPrimitives.ReadUInt64LittleEndian(s[32..]));
}

/// <summary>MDRawLinkMap64 (24 bytes): one link_map entry, l_addr (the load bias), the RVA of l_name as a MINIDUMP_STRING, l_ld.</summary>
public readonly record struct LinkMapEntry(ulong Address, uint Name, ulong Dynamic)
{
    public const int Size = 24;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Address);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Name);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Dynamic);
    }

    public static LinkMapEntry Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]));
}
