using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_MEMORY_DESCRIPTOR (16 bytes): a range of the process and where its bytes are in the file.</summary>
public readonly record struct MemoryDescriptor(ulong StartOfMemoryRange, LocationDescriptor Memory)
{
    public const int Size = 16;
    /// <summary>Where the RVA of the bytes is in a descriptor: its LocationDescriptor at 8 (DataSize, then Rva).</summary>
    public const int RvaOffset = 12;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, StartOfMemoryRange);
        Memory.Write(d[8..]);
    }

    public static MemoryDescriptor Read(ReadOnlySpan<byte> s) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(s), LocationDescriptor.Read(s[8..]));
}
