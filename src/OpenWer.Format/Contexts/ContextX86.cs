using System.Buffers.Binary;

namespace OpenWer.Format.Contexts;

/// <summary>
/// The Windows x86 CONTEXT (716 = 0x2CC bytes), for 32-bit processes: debug registers, FloatSave (the 112-byte
/// FLOATING_SAVE_AREA, whose first 108 bytes are the FSAVE image Linux calls user_i387_struct), segment and
/// integer registers, and ExtendedRegisters (the 512-byte FXSAVE image, user_fxsr_struct).
/// </summary>
public sealed class ContextX86
{
    public const int Size = 0x2CC;
    public const uint FlagX86 = 0x00010000;
    /// <summary>CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG_REGISTERS | EXTENDED_REGISTERS, as Breakpad's Linux writer sets.</summary>
    public const uint FlagAll = FlagX86 | 0x3F;
    /// <summary>CONTEXT_EXTENDED_REGISTERS without the CONTEXT_i386 bit: ExtendedRegisters holds an FXSAVE image.</summary>
    public const uint FlagExtendedRegistersBit = 0x20;

    public const int FloatSaveOffset = 0x1C, FloatSaveSize = 112, FSaveImageSize = 108;
    public const int ExtendedRegistersOffset = 0xCC, ExtendedRegistersSize = 512;

    public uint ContextFlags { get; init; } = FlagAll;
    public uint Dr0 { get; init; }
    public uint Dr1 { get; init; }
    public uint Dr2 { get; init; }
    public uint Dr3 { get; init; }
    public uint Dr6 { get; init; }
    public uint Dr7 { get; init; }
    /// <summary>FLOATING_SAVE_AREA: ControlWord, StatusWord, TagWord, ErrorOffset, ErrorSelector, DataOffset, DataSelector, RegisterArea[80], Cr0NpxState.</summary>
    public byte[] FloatSave { get; init; } = new byte[FloatSaveSize];
    public uint SegGs { get; init; }
    public uint SegFs { get; init; }
    public uint SegEs { get; init; }
    public uint SegDs { get; init; }
    public uint Edi { get; init; }
    public uint Esi { get; init; }
    public uint Ebx { get; init; }
    public uint Edx { get; init; }
    public uint Ecx { get; init; }
    public uint Eax { get; init; }
    public uint Ebp { get; init; }
    public uint Eip { get; init; }
    public uint SegCs { get; init; }
    public uint EFlags { get; init; }
    public uint Esp { get; init; }
    public uint SegSs { get; init; }
    /// <summary>The FXSAVE image (x87, MXCSR, XMM0-7).</summary>
    public byte[] ExtendedRegisters { get; init; } = new byte[ExtendedRegistersSize];

    public void Write(Span<byte> d)
    {
        d[..Size].Clear();
        uint[] head = [ContextFlags, Dr0, Dr1, Dr2, Dr3, Dr6, Dr7];
        for (int i = 0; i < head.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(d[(4 * i)..], head[i]);
        FloatSave.AsSpan(0, FloatSaveSize).CopyTo(d[FloatSaveOffset..]);
        uint[] rest = [SegGs, SegFs, SegEs, SegDs, Edi, Esi, Ebx, Edx, Ecx, Eax, Ebp, Eip, SegCs, EFlags, Esp, SegSs];
        for (int i = 0; i < rest.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(d[(FloatSaveOffset + FloatSaveSize + 4 * i)..], rest[i]);
        ExtendedRegisters.AsSpan(0, ExtendedRegistersSize).CopyTo(d[ExtendedRegistersOffset..]);
    }

    public static ContextX86 Read(ReadOnlySpan<byte> s)
    {
        if (s.Length < Size)
            throw new MinidumpFormatException($"x86 context is {s.Length} bytes, expected {Size}");
        var bytes = s[..Size].ToArray();
        uint U32(int o) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o));
        const int r = FloatSaveOffset + FloatSaveSize;
        return new ContextX86
        {
            ContextFlags = U32(0),
            Dr0 = U32(0x04),
            Dr1 = U32(0x08),
            Dr2 = U32(0x0C),
            Dr3 = U32(0x10),
            Dr6 = U32(0x14),
            Dr7 = U32(0x18),
            FloatSave = bytes.AsSpan(FloatSaveOffset, FloatSaveSize).ToArray(),
            SegGs = U32(r),
            SegFs = U32(r + 0x04),
            SegEs = U32(r + 0x08),
            SegDs = U32(r + 0x0C),
            Edi = U32(r + 0x10),
            Esi = U32(r + 0x14),
            Ebx = U32(r + 0x18),
            Edx = U32(r + 0x1C),
            Ecx = U32(r + 0x20),
            Eax = U32(r + 0x24),
            Ebp = U32(r + 0x28),
            Eip = U32(r + 0x2C),
            SegCs = U32(r + 0x30),
            EFlags = U32(r + 0x34),
            Esp = U32(r + 0x38),
            SegSs = U32(r + 0x3C),
            ExtendedRegisters = bytes.AsSpan(ExtendedRegistersOffset, ExtendedRegistersSize).ToArray(),
        };
    }
}
