using System.Buffers.Binary;

namespace OpenWer.Format.Contexts;

/// <summary>
/// The Windows ARM64 CONTEXT (912 = 0x390 bytes), as Crashpad writes it (never Breakpad's old 796-byte layout,
/// which ClrMD and the DAC cannot read). Note the order: CONTEXT has Fpcr before Fpsr, the kernel's
/// user_fpsimd_state has fpsr before fpcr.
/// </summary>
public sealed class ContextArm64
{
    public const int Size = 0x390;
    public const uint FlagArm64 = 0x00400000;
    /// <summary>CONTROL | INTEGER | FLOATING_POINT, as Crashpad writes.</summary>
    public const uint FlagFull = 0x00400007;
    /// <summary>CONTEXT_ARM64_FLOATING_POINT without the architecture bit: cleared when the V registers are not known.</summary>
    public const uint FlagFloatingPointBit = 0x4;

    public uint ContextFlags { get; init; } = FlagFull;
    public uint Cpsr { get; init; }
    /// <summary>X0-X28.</summary>
    public ulong[] X { get; init; } = new ulong[29];
    public ulong Fp { get; init; }
    public ulong Lr { get; init; }
    public ulong Sp { get; init; }
    public ulong Pc { get; init; }
    /// <summary>V0-V31, 16 bytes each.</summary>
    public byte[] V { get; init; } = new byte[32 * 16];
    public uint Fpcr { get; init; }
    public uint Fpsr { get; init; }

    public void Write(Span<byte> d)
    {
        d[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d, ContextFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Cpsr);
        for (int i = 0; i < 29; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(d[(0x08 + 8 * i)..], X[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(d[0xF0..], Fp);
        BinaryPrimitives.WriteUInt64LittleEndian(d[0xF8..], Lr);
        BinaryPrimitives.WriteUInt64LittleEndian(d[0x100..], Sp);
        BinaryPrimitives.WriteUInt64LittleEndian(d[0x108..], Pc);
        V.AsSpan(0, 512).CopyTo(d[0x110..]);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x310..], Fpcr);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x314..], Fpsr);
    }

    public static ContextArm64 Read(ReadOnlySpan<byte> s)
    {
        if (s.Length < Size)
            throw new MinidumpFormatException($"ARM64 context is {s.Length} bytes, expected {Size}");
        var c = new ContextArm64
        {
            ContextFlags = BinaryPrimitives.ReadUInt32LittleEndian(s),
            Cpsr = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
            Fp = BinaryPrimitives.ReadUInt64LittleEndian(s[0xF0..]),
            Lr = BinaryPrimitives.ReadUInt64LittleEndian(s[0xF8..]),
            Sp = BinaryPrimitives.ReadUInt64LittleEndian(s[0x100..]),
            Pc = BinaryPrimitives.ReadUInt64LittleEndian(s[0x108..]),
            V = s.Slice(0x110, 512).ToArray(),
            Fpcr = BinaryPrimitives.ReadUInt32LittleEndian(s[0x310..]),
            Fpsr = BinaryPrimitives.ReadUInt32LittleEndian(s[0x314..]),
        };
        for (int i = 0; i < 29; i++)
            c.X[i] = BinaryPrimitives.ReadUInt64LittleEndian(s[(0x08 + 8 * i)..]);
        return c;
    }
}
