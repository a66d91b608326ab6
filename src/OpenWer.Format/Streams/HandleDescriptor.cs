using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_HANDLE_DESCRIPTOR (32 bytes; the stream header is 16). On Linux, Handle is the file descriptor.</summary>
public readonly record struct HandleDescriptor(
    ulong Handle, uint TypeNameRva, uint ObjectNameRva, uint Attributes, uint GrantedAccess, uint HandleCount, uint PointerCount)
{
    public const int Size = 32;
    public const int ListHeaderSize = 16;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Handle);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], TypeNameRva);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], ObjectNameRva);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], Attributes);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], GrantedAccess);
        BinaryPrimitives.WriteUInt32LittleEndian(d[24..], HandleCount);
        BinaryPrimitives.WriteUInt32LittleEndian(d[28..], PointerCount);
    }

    public static HandleDescriptor Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[20..]), BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[28..]));
}
