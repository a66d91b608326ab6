using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_UNLOADED_MODULE (24 bytes; the stream header is 12).</summary>
public readonly record struct UnloadedModule(ulong BaseOfImage, uint SizeOfImage, uint CheckSum, uint TimeDateStamp, uint ModuleNameRva)
{
    public const int Size = 24;
    public const int ListHeaderSize = 12;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, BaseOfImage);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], SizeOfImage);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], CheckSum);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], TimeDateStamp);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], ModuleNameRva);
    }

    public static UnloadedModule Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[20..]));
}
