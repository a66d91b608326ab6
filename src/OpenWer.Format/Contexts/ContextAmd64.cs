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

    public uint ContextFlags { get; set; } = FlagAll;
    public uint MxCsr { get; set; }
    public ushort Cs { get; set; }
    public ushort Ds { get; set; }
    public ushort Es { get; set; }
    public ushort Fs { get; set; }
    public ushort Gs { get; set; }
    public ushort Ss { get; set; }
    public uint EFlags { get; set; }
    public ulong Dr0 { get; set; }
    public ulong Dr1 { get; set; }
    public ulong Dr2 { get; set; }
    public ulong Dr3 { get; set; }
    public ulong Dr6 { get; set; }
    public ulong Dr7 { get; set; }
    public ulong Rax { get; set; }
    public ulong Rcx { get; set; }
    public ulong Rdx { get; set; }
    public ulong Rbx { get; set; }
    public ulong Rsp { get; set; }
    public ulong Rbp { get; set; }
    public ulong Rsi { get; set; }
    public ulong Rdi { get; set; }
    public ulong R8 { get; set; }
    public ulong R9 { get; set; }
    public ulong R10 { get; set; }
    public ulong R11 { get; set; }
    public ulong R12 { get; set; }
    public ulong R13 { get; set; }
    public ulong R14 { get; set; }
    public ulong R15 { get; set; }
    public ulong Rip { get; set; }
    /// <summary>The FXSAVE64 image (XMM_SAVE_AREA32), copied verbatim from PTRACE_GETFPREGS as Crashpad does.</summary>
    public byte[] FltSave { get; set; } = new byte[FxSaveSize];
    /// <summary>Upper 128 bits of YMM0-15, or null when the dump does not carry AVX state.</summary>
    public byte[]? YmmHigh { get; set; }

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
        var c = new ContextAmd64
        {
            ContextFlags = BinaryPrimitives.ReadUInt32LittleEndian(s[0x30..]),
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
        };
        if ((c.ContextFlags & 0x40) != 0 && s.Length >= SizeWithXState)
        {
            var ex = s[Size..];
            int xstateOffset = BinaryPrimitives.ReadInt32LittleEndian(ex[16..]);
            uint xstateLength = BinaryPrimitives.ReadUInt32LittleEndian(ex[20..]);
            if (xstateOffset >= 0 && xstateLength >= XSaveHeaderSize + YmmHighSize && Size + xstateOffset + xstateLength <= s.Length)
            {
                var xsave = s[(Size + xstateOffset)..];
                if ((BinaryPrimitives.ReadUInt64LittleEndian(xsave) & XStateMaskAvx) != 0)
                    c.YmmHigh = xsave.Slice(XSaveHeaderSize, YmmHighSize).ToArray();
            }
            c.ContextFlags &= ~0x40u;
        }
        return c;
    }
}
