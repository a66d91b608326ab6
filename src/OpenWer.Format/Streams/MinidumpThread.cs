using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_THREAD (48 bytes). On Linux, Teb holds fs_base (x86_64) or TPIDR_EL0 (arm64), as Crashpad does.</summary>
public readonly record struct MinidumpThread(
    uint ThreadId, uint SuspendCount, uint PriorityClass, uint Priority, ulong Teb,
    MemoryDescriptor Stack, LocationDescriptor ThreadContext)
{
    public const int Size = 48;
    /// <summary>Where the stack's RVA is in an entry: its MINIDUMP_MEMORY_DESCRIPTOR at 24, and the RVA within that.</summary>
    public const int StackRvaOffset = 24 + MemoryDescriptor.RvaOffset;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, ThreadId);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], SuspendCount);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], PriorityClass);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], Priority);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Teb);
        Stack.Write(d[24..]);
        ThreadContext.Write(d[40..]);
    }

    public static MinidumpThread Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt32LittleEndian(s[12..]),
        BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), MemoryDescriptor.Read(s[24..]), LocationDescriptor.Read(s[40..]));
}
