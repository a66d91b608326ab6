using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_MEMORY_DESCRIPTOR64 (16 bytes); the bytes of all ranges follow one another from the list's BaseRva.</summary>
public readonly record struct Memory64Descriptor(ulong StartOfMemoryRange, ulong DataSize)
{
    public const int Size = 16;
    /// <summary>NumberOfMemoryRanges u64 and BaseRva u64.</summary>
    public const int ListHeaderSize = 16;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, StartOfMemoryRange);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], DataSize);
    }

    public static Memory64Descriptor Read(ReadOnlySpan<byte> s) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]));
}
