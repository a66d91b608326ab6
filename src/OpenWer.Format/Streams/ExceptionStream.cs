using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>
/// MINIDUMP_EXCEPTION_STREAM (168 bytes). On Linux: Code = signal number (0xFFFFFFFF for a requested dump),
/// Flags = si_code, Address = si_addr.
/// </summary>
public readonly record struct ExceptionStream(
    uint ThreadId, uint ExceptionCode, uint ExceptionFlags, ulong ExceptionRecord, ulong ExceptionAddress,
    ulong[] ExceptionInformation, LocationDescriptor ThreadContext)
{
    public const int Size = 168;
    public const int MaximumParameters = 15;
    public const uint DumpRequested = 0xFFFFFFFF;

    public void Write(Span<byte> d)
    {
        if (ExceptionInformation.Length > MaximumParameters)
            throw new ArgumentException($"at most {MaximumParameters} exception parameters", nameof(ExceptionInformation));
        d[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d, ThreadId);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], ExceptionCode);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], ExceptionFlags);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], ExceptionRecord);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], ExceptionAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(d[32..], (uint)ExceptionInformation.Length);
        for (int i = 0; i < ExceptionInformation.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(d[(40 + 8 * i)..], ExceptionInformation[i]);
        ThreadContext.Write(d[160..]);
    }

    public static ExceptionStream Read(ReadOnlySpan<byte> s)
    {
        uint n = Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(s[32..]), MaximumParameters);
        var info = new ulong[n];
        for (int i = 0; i < n; i++)
            info[i] = BinaryPrimitives.ReadUInt64LittleEndian(s[(40 + 8 * i)..]);
        return new(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), info, LocationDescriptor.Read(s[160..]));
    }
}
