using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_LOCATION_DESCRIPTOR (8 bytes).</summary>
public readonly record struct LocationDescriptor(uint DataSize, uint Rva)
{
    public const int Size = 8;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, DataSize);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Rva);
    }

    public static LocationDescriptor Read(ReadOnlySpan<byte> s) =>
        new(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
}
