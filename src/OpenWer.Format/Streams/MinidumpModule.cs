using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>
/// MINIDUMP_MODULE (108 bytes, packed to 4: natural alignment would make it 112).
/// VS_FIXEDFILEINFO is written with only its signature and structure version, as Crashpad does.
/// </summary>
public readonly record struct MinidumpModule(
    ulong BaseOfImage, uint SizeOfImage, uint CheckSum, uint TimeDateStamp, uint ModuleNameRva,
    LocationDescriptor CvRecord, LocationDescriptor MiscRecord)
{
    public const int Size = 108;
    public const uint FixedFileInfoSignature = 0xFEEF04BD;
    public const uint FixedFileInfoVersion = 0x10000;

    public void Write(Span<byte> d)
    {
        d[..Size].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(d, BaseOfImage);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], SizeOfImage);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], CheckSum);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], TimeDateStamp);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], ModuleNameRva);
        BinaryPrimitives.WriteUInt32LittleEndian(d[24..], FixedFileInfoSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(d[28..], FixedFileInfoVersion);
        CvRecord.Write(d[76..]);
        MiscRecord.Write(d[84..]);
    }

    public static MinidumpModule Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[20..]), LocationDescriptor.Read(s[76..]), LocationDescriptor.Read(s[84..]));
}
