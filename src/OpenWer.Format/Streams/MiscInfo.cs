using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_MISC_INFO, version 1 (24 bytes): process id and process times.</summary>
public readonly record struct MiscInfo(MiscInfoFlags Flags1, uint ProcessId, uint ProcessCreateTime, uint ProcessUserTime, uint ProcessKernelTime)
{
    public const int Size = 24;

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], (uint)Flags1);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], ProcessId);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], ProcessCreateTime);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], ProcessUserTime);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], ProcessKernelTime);
    }

    /// <summary>Reads the v1 part of any version (SizeOfInfo at +0 selects the version; all start the same).</summary>
    public static MiscInfo Read(ReadOnlySpan<byte> s)
    {
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(s);
        if (size < Size || s.Length < Size)
            throw new MinidumpFormatException($"MiscInfo SizeOfInfo {size} is smaller than version 1 ({Size})");
        return new((MiscInfoFlags)BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[20..]));
    }
}

[Flags]
public enum MiscInfoFlags : uint
{
    ProcessId = 0x1,
    ProcessTimes = 0x2,
}
