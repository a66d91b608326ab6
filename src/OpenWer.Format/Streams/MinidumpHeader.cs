using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_HEADER (32 bytes at offset 0).</summary>
public readonly record struct MinidumpHeader(uint NumberOfStreams, uint StreamDirectoryRva, uint TimeDateStamp, MinidumpType Flags)
{
    public const int Size = 32;
    public const uint ExpectedSignature = 0x504D444D; // "MDMP"
    /// <summary>Low word 0xA793; readers compare only the low 16 bits, Breakpad and Crashpad write 0 above.</summary>
    public const uint ExpectedVersion = 0xA793;

    /// <summary>Writes everything but the signature, which a writer sets last so that a cut-short file is never a valid dump.</summary>
    public void WriteWithoutSignature(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], ExpectedVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], NumberOfStreams);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], StreamDirectoryRva);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], 0); // CheckSum
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], TimeDateStamp);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], (ulong)Flags);
    }

    public static MinidumpHeader Read(ReadOnlySpan<byte> s)
    {
        if (s.Length < Size)
            throw new MinidumpFormatException($"file is {s.Length} bytes, shorter than a minidump header ({Size})");
        if (BinaryPrimitives.ReadUInt32LittleEndian(s) != ExpectedSignature)
            throw new MinidumpFormatException("not a minidump: no MDMP signature at offset 0 (or the file was cut short while being written)");
        if ((BinaryPrimitives.ReadUInt32LittleEndian(s[4..]) & 0xFFFF) != ExpectedVersion)
            throw new MinidumpFormatException("unsupported minidump version");
        return new(BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt32LittleEndian(s[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[20..]), (MinidumpType)BinaryPrimitives.ReadUInt64LittleEndian(s[24..]));
    }
}
