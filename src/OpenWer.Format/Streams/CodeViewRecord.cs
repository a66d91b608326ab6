using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>
/// The Breakpad ELF CodeView record: the signature 'BpEL' followed by the raw GNU build-id bytes,
/// with no GUID or age field (minidump-format.md section 4).
/// </summary>
public static class CodeViewRecord
{
    public const uint ElfBuildIdSignature = 0x4270454C; // "LEpB" in memory, 'BpEL' as a number

    public static byte[] ForElfBuildId(ReadOnlySpan<byte> buildId)
    {
        var record = new byte[4 + buildId.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, ElfBuildIdSignature);
        buildId.CopyTo(record.AsSpan(4));
        return record;
    }

    /// <summary>The build-id of a BpEL record, or null for any other kind of record.</summary>
    public static byte[]? TryReadElfBuildId(ReadOnlySpan<byte> record) =>
        record.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(record) == ElfBuildIdSignature
            ? record[4..].ToArray()
            : null;
}
