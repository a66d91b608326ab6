using System.Buffers.Binary;

namespace OpenWer.LocalDumps.MachineWide.Service;

/// <summary>
/// The kernel's coredump socket protocol (linux/coredump.h, Linux 6.17; core_pattern "@@/path"): on connecting, the
/// kernel sends a <c>coredump_req</c>; the server answers with a <c>coredump_ack</c> choosing what the kernel does
/// (write the core to the socket, let the server do it, write nothing), and whether it waits for the server to close
/// the connection before the crashed process is let go; the kernel then sends one 32-bit mark saying whether it took
/// the answer.
/// </summary>
public static class CoredumpProtocol
{
    /// <summary>coredump_req/ack mask bits.</summary>
    public const ulong Kernel = 1, Userspace = 2, Reject = 4, Wait = 8;

    /// <summary>COREDUMP_REQ_SIZE_VER0 and COREDUMP_ACK_SIZE_VER0: { u32 size; u32 size_ack or spare; u64 mask; }.</summary>
    public const int RequestSizeVer0 = 16, AckSize = 16;

    /// <summary>The kernel reads at most this much of a request we do not know (it says how big its own is).</summary>
    public const int RequestSizeMax = 4096;

    /// <summary>The mark the kernel sends when it took the answer (COREDUMP_MARK_REQACK); others name what was wrong.</summary>
    public const uint MarkAccepted = 0;

    public readonly record struct Request(uint Size, uint AckSize, ulong Mask)
    {
        public static Request Read(ReadOnlySpan<byte> b) =>
            new(BinaryPrimitives.ReadUInt32LittleEndian(b), BinaryPrimitives.ReadUInt32LittleEndian(b[4..]), BinaryPrimitives.ReadUInt64LittleEndian(b[8..]));
    }

    public static void WriteAck(Span<byte> b, ulong mask)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b, AckSize);
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], mask);
    }

    public static string DescribeMark(uint mark) => mark switch
    {
        0 => "accepted",
        1 => "the answer was too small",
        2 => "the answer was too big",
        3 => "the answer asked for something the kernel does not offer",
        4 => "the answer asked for conflicting things",
        _ => $"mark {mark}",
    };
}
