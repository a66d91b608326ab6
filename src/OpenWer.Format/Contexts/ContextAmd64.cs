using System.Buffers.Binary;

namespace OpenWer.Format.Contexts;

/// <summary>
/// The Windows AMD64 CONTEXT (1232 = 0x4D0 bytes), optionally followed by a CONTEXT_EX and an XSAVE area
/// holding the upper halves of YMM0-15 (WithAvxXStateContext). Offsets from minidump-format.md section 3.
/// </summary>
public sealed class ContextAmd64
{
    public const int Size = 0x4D0;
    public const uint FlagAmd64 = 0x00100000;
    public const uint FlagControl = FlagAmd64 | 0x1, FlagInteger = FlagAmd64 | 0x2, FlagSegments = FlagAmd64 | 0x4,
        FlagFloatingPoint = FlagAmd64 | 0x8, FlagDebugRegisters = FlagAmd64 | 0x10, FlagXState = FlagAmd64 | 0x40;
    /// <summary>CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG_REGISTERS, as Crashpad writes. Never bit 31: LLDB reads that as its own extension.</summary>
    public const uint FlagAll = 0x0010001F;

    public const int FxSaveOffset = 0x100, FxSaveSize = 512;
    /// <summary>CONTEXT_EX: three {Offset i32, Length u32} chunks (All, Legacy, XState), padded to 32.</summary>
    public const int ContextExSize = 32;
    /// <summary>XSAVE_AREA_HEADER: Mask u64, CompactionMask u64, Reserved[6].</summary>
    public const int XSaveHeaderSize = 64;
    public const int YmmHighSize = 256;
    public const int SizeWithXState = Size + ContextExSize + XSaveHeaderSize + YmmHighSize;
    /// <summary>XSTATE_MASK_AVX: bit 2 of the XSAVE feature mask.</summary>
    public const ulong XStateMaskAvx = 0x4;
    /// <summary>CONTEXT_XSTATE without the architecture bit, as it is cleared from a context read back.</summary>
    private const uint FlagXStateBit = 0x40;

    public uint ContextFlags { get; init; } = FlagAll;
    public uint MxCsr { get; init; }
    public ushort Cs { get; init; }
    public ushort Ds { get; init; }
    public ushort Es { get; init; }
    public ushort Fs { get; init; }
    public ushort Gs { get; init; }
    public ushort Ss { get; init; }
    public uint EFlags { get; init; }
    public ulong Dr0 { get; init; }
    public ulong Dr1 { get; init; }
    public ulong Dr2 { get; init; }
    public ulong Dr3 { get; init; }
    public ulong Dr6 { get; init; }
    public ulong Dr7 { get; init; }
    public ulong Rax { get; init; }
    public ulong Rcx { get; init; }
    public ulong Rdx { get; init; }
    public ulong Rbx { get; init; }
    public ulong Rsp { get; init; }
    public ulong Rbp { get; init; }
    public ulong Rsi { get; init; }
    public ulong Rdi { get; init; }
    public ulong R8 { get; init; }
    public ulong R9 { get; init; }
    public ulong R10 { get; init; }
    public ulong R11 { get; init; }
    public ulong R12 { get; init; }
    public ulong R13 { get; init; }
    public ulong R14 { get; init; }
    public ulong R15 { get; init; }
    public ulong Rip { get; init; }
    /// <summary>The FXSAVE64 image (XMM_SAVE_AREA32), copied verbatim from PTRACE_GETFPREGS as Crashpad does.</summary>
    public byte[] FltSave { get; init; } = new byte[FxSaveSize];
    /// <summary>Upper 128 bits of YMM0-15, or null when the dump does not carry AVX state.</summary>
    public byte[]? YmmHigh { get; init; }

    public int EncodedSize => EncodedSizeFor(YmmHigh is not null);

    /// <summary>The size written with or without the AVX state (which needs <see cref="YmmHigh"/>).</summary>
    public int EncodedSizeFor(bool withXState) => withXState && YmmHigh is not null ? SizeWithXState : Size;

    public void Write(Span<byte> d) => Write(d, YmmHigh is not null);

    /// <summary>Writes the context, with its AVX state only if <paramref name="withXState"/> (and it has one); the context is not changed.</summary>
    public void Write(Span<byte> d, bool withXState)
    {
        bool xstate = withXState && YmmHigh is not null;
        d[..EncodedSizeFor(xstate)].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x30..], xstate ? ContextFlags | FlagXState : ContextFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x34..], MxCsr);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x38..], Cs);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x3A..], Ds);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x3C..], Es);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x3E..], Fs);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x40..], Gs);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x42..], Ss);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x44..], EFlags);
        ulong[] debug = [Dr0, Dr1, Dr2, Dr3, Dr6, Dr7];
        for (int i = 0; i < debug.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(d[(0x48 + 8 * i)..], debug[i]);
        ulong[] gprs = [Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15, Rip];
        for (int i = 0; i < gprs.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(d[(0x78 + 8 * i)..], gprs[i]);
        FltSave.AsSpan(0, FxSaveSize).CopyTo(d[FxSaveOffset..]);
        if (xstate)
            WriteXState(d);
    }

    private void WriteXState(Span<byte> d)
    {
        var ex = d[Size..];
        int total = SizeWithXState;
        // All and Legacy start at the CONTEXT itself, i.e. before CONTEXT_EX: negative offsets.
        BinaryPrimitives.WriteInt32LittleEndian(ex, -Size);
        BinaryPrimitives.WriteUInt32LittleEndian(ex[4..], (uint)total);
        BinaryPrimitives.WriteInt32LittleEndian(ex[8..], -Size);
        BinaryPrimitives.WriteUInt32LittleEndian(ex[12..], Size);
        BinaryPrimitives.WriteInt32LittleEndian(ex[16..], ContextExSize);
        BinaryPrimitives.WriteUInt32LittleEndian(ex[20..], XSaveHeaderSize + YmmHighSize);
        var xsave = ex[ContextExSize..];
        BinaryPrimitives.WriteUInt64LittleEndian(xsave, XStateMaskAvx);
        YmmHigh!.AsSpan(0, YmmHighSize).CopyTo(xsave[XSaveHeaderSize..]);
    }

    public static ContextAmd64 Read(ReadOnlySpan<byte> s)
    {
        if (s.Length < Size)
            throw new MinidumpFormatException($"AMD64 context is {s.Length} bytes, expected at least {Size}");
        var bytes = s[..Size].ToArray();
        ulong U64(int o) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(o));
        ushort U16(int o) => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(o));
        // The XSTATE bit says a CONTEXT_EX and XSAVE area follow; the context read back has the AVX state or not, never the bit.
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(s[0x30..]);
        byte[]? ymmHigh = null;
        if ((flags & FlagXStateBit) != 0 && s.Length >= SizeWithXState)
        {
            var ex = s[Size..];
            int xstateOffset = BinaryPrimitives.ReadInt32LittleEndian(ex[16..]);
            uint xstateLength = BinaryPrimitives.ReadUInt32LittleEndian(ex[20..]);
            if (xstateOffset >= 0 && xstateLength >= XSaveHeaderSize + YmmHighSize && Size + xstateOffset + xstateLength <= s.Length)
            {
                var xsave = s[(Size + xstateOffset)..];
                if ((BinaryPrimitives.ReadUInt64LittleEndian(xsave) & XStateMaskAvx) != 0)
                    ymmHigh = xsave.Slice(XSaveHeaderSize, YmmHighSize).ToArray();
            }
        }
        return new ContextAmd64
        {
            ContextFlags = flags & ~FlagXStateBit,
            MxCsr = BinaryPrimitives.ReadUInt32LittleEndian(s[0x34..]),
            Cs = U16(0x38),
            Ds = U16(0x3A),
            Es = U16(0x3C),
            Fs = U16(0x3E),
            Gs = U16(0x40),
            Ss = U16(0x42),
            EFlags = BinaryPrimitives.ReadUInt32LittleEndian(s[0x44..]),
            Dr0 = U64(0x48),
            Dr1 = U64(0x50),
            Dr2 = U64(0x58),
            Dr3 = U64(0x60),
            Dr6 = U64(0x68),
            Dr7 = U64(0x70),
            Rax = U64(0x78),
            Rcx = U64(0x80),
            Rdx = U64(0x88),
            Rbx = U64(0x90),
            Rsp = U64(0x98),
            Rbp = U64(0xA0),
            Rsi = U64(0xA8),
            Rdi = U64(0xB0),
            R8 = U64(0xB8),
            R9 = U64(0xC0),
            R10 = U64(0xC8),
            R11 = U64(0xD0),
            R12 = U64(0xD8),
            R13 = U64(0xE0),
            R14 = U64(0xE8),
            R15 = U64(0xF0),
            Rip = U64(0xF8),
            FltSave = s.Slice(FxSaveOffset, FxSaveSize).ToArray(),
            YmmHigh = ymmHigh,
        };
    }
}
