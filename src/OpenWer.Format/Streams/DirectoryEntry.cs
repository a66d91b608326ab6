using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_DIRECTORY (12 bytes).</summary>
public readonly record struct DirectoryEntry(StreamType StreamType, LocationDescriptor Location)
{
    public const int Size = 12;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, (uint)StreamType);
        Location.Write(d[4..]);
    }

    public static DirectoryEntry Read(ReadOnlySpan<byte> s) =>
        new((StreamType)BinaryPrimitives.ReadUInt32LittleEndian(s), LocationDescriptor.Read(s[4..]));
}
