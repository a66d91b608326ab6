using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MDRawBreakpadInfo (12 bytes). Our dumper is another process, so only the requesting thread is valid (validity 2).</summary>
public readonly record struct BreakpadInfo(uint Validity, uint DumpThreadId, uint RequestingThreadId)
{
    public const int Size = 12;
    public const uint DumpThreadValid = 1, RequestingThreadValid = 2;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Validity);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], DumpThreadId);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], RequestingThreadId);
    }

    public static BreakpadInfo Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
}
