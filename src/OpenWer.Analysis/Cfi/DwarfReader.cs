using System.Buffers.Binary;

namespace OpenWer.Analysis.Cfi;

/// <summary>
/// A cursor over DWARF bytes (LEB128, fixed sizes, DW_EH_PE pointer encodings). Reading past the end throws
/// <see cref="CfiFormatException"/>: every CFI structure comes from a file and is checked as it is read.
/// </summary>
public ref struct DwarfReader(ReadOnlySpan<byte> bytes, int position = 0)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    public int Position { get; set; } = position;

    public readonly int Length => _bytes.Length;
    public readonly bool AtEnd => Position >= _bytes.Length;

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || Position > _bytes.Length - n)
            throw new CfiFormatException($"read of {n} bytes at {Position} passes the end ({_bytes.Length})");
        var s = _bytes.Slice(Position, n);
        Position += n;
        return s;
    }

    public byte U8() => Take(1)[0];
    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ulong Uleb()
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = U8();
            if (shift < 64)
                result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return result;
            if (shift > 70)
                throw new CfiFormatException("LEB128 value too long");
        }
    }

    public long Sleb()
    {
        long result = 0;
        int shift = 0;
        byte b;
        do
        {
            b = U8();
            if (shift < 64)
                result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if (shift > 70)
                throw new CfiFormatException("LEB128 value too long");
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0)
            result |= -1L << shift;
        return result;
    }

    public string CString()
    {
        int end = _bytes[Position..].IndexOf((byte)0);
        if (end < 0)
            throw new CfiFormatException("unterminated string");
        string s = System.Text.Encoding.ASCII.GetString(_bytes.Slice(Position, end));
        Position += end + 1;
        return s;
    }

    /// <summary>
    /// A pointer in a DW_EH_PE encoding; pc-relative values are taken relative to <paramref name="sectionAddress"/> plus
    /// the field's offset, data-relative ones to <paramref name="dataAddress"/>.
    /// </summary>
    public ulong Pointer(byte encoding, ulong sectionAddress, ulong dataAddress = 0)
    {
        if (encoding == 0xFF)
            return 0;
        ulong fieldAddress = sectionAddress + (ulong)Position;
        ulong value = (encoding & 0x0F) switch
        {
            0x00 => U64(),
            0x01 => Uleb(),
            0x02 => U16(),
            0x03 => U32(),
            0x04 => U64(),
            0x09 => (ulong)Sleb(),
            0x0A => (ulong)(long)(short)U16(),
            0x0B => (ulong)(long)(int)U32(),
            0x0C => U64(),
            _ => throw new CfiFormatException($"unsupported pointer encoding 0x{encoding:x2}"),
        };
        return (encoding & 0x70) switch
        {
            0x00 => value,
            0x10 => fieldAddress + value,
            0x30 => dataAddress + value,
            _ => throw new CfiFormatException($"unsupported pointer application 0x{encoding:x2}"),
        };
    }
}
