using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_THREAD_NAME (12 bytes, packed to 4: the RVA is a u64).</summary>
public readonly record struct ThreadNameEntry(uint ThreadId, ulong RvaOfThreadName)
{
    public const int Size = 12;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, ThreadId);
        BinaryPrimitives.WriteUInt64LittleEndian(d[4..], RvaOfThreadName);
    }

    public static ThreadNameEntry Read(ReadOnlySpan<byte> s) =>
        new(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[4..]));
}
