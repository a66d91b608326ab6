using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_THREAD_INFO (64 bytes); ClrMD rejects any other entry size. Times are FILETIME units (100 ns).</summary>
public readonly record struct ThreadInfo(
    uint ThreadId, uint DumpFlags, uint DumpError, uint ExitStatus, ulong CreateTime, ulong ExitTime,
    ulong KernelTime, ulong UserTime, ulong StartAddress, ulong Affinity)
{
    public const int Size = 64;
    public const int ListHeaderSize = 12;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, ThreadId);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], DumpFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], DumpError);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], ExitStatus);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], CreateTime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], ExitTime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], KernelTime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[40..], UserTime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[48..], StartAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(d[56..], Affinity);
    }

    public static ThreadInfo Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt32LittleEndian(s[12..]),
        BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
        BinaryPrimitives.ReadUInt64LittleEndian(s[32..]), BinaryPrimitives.ReadUInt64LittleEndian(s[40..]),
        BinaryPrimitives.ReadUInt64LittleEndian(s[48..]), BinaryPrimitives.ReadUInt64LittleEndian(s[56..]));
}
