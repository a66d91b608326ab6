using System.Buffers.Binary;

namespace OpenWer.Capture.Elf;

/// <summary>
/// The two facts ClrMD needs of a PE image the .NET runtime mapped (a managed assembly): its TimeDateStamp
/// and SizeOfImage, which together with the path let it find the file's metadata.
/// </summary>
public readonly record struct PortableExecutableHeader(uint TimeDateStamp, uint SizeOfImage)
{
    public static PortableExecutableHeader? TryParse(ReadOnlySpan<byte> page)
    {
        if (page.Length < 0x40 || page[0] != (byte)'M' || page[1] != (byte)'Z')
            return null;
        int pe = BinaryPrimitives.ReadInt32LittleEndian(page[0x3C..]);
        // COFF header (20 bytes) after "PE\0\0"; SizeOfImage at +56 of the optional header (PE32 and PE32+ alike).
        if (pe < 0 || pe + 24 + 60 > page.Length || !page.Slice(pe, 4).SequenceEqual("PE\0\0"u8))
            return null;
        uint stamp = BinaryPrimitives.ReadUInt32LittleEndian(page[(pe + 8)..]);
        uint sizeOfImage = BinaryPrimitives.ReadUInt32LittleEndian(page[(pe + 24 + 56)..]);
        return new PortableExecutableHeader(stamp, sizeOfImage);
    }
}
