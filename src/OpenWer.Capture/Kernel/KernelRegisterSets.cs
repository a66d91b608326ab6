using System.Buffers.Binary;
using OpenWer.Format.Contexts;

namespace OpenWer.Capture.Kernel;

/// <summary>
/// The kernel's register sets (what PTRACE_GETREGSET returns and what a core's thread notes hold: the same bytes) in
/// the Windows CONTEXT of each architecture. Pure conversions, shared by the live and the core sources.
/// </summary>
public static class KernelRegisterSets
{
    // struct user_regs_struct (x86_64), in order; 27 u64 = 216 bytes.
    private enum Reg { R15, R14, R13, R12, Rbp, Rbx, R11, R10, R9, R8, Rax, Rcx, Rdx, Rsi, Rdi, OrigRax, Rip, Cs, Eflags, Rsp, Ss, FsBase, GsBase, Ds, Es, Fs, Gs }
    public const int UserRegsSizeAmd64 = 27 * 8;

    // struct user_regs_struct (i386), in order; 17 u32 = 68 bytes.
    private enum RegX86 { Ebx, Ecx, Edx, Esi, Edi, Ebp, Eax, Ds, Es, Fs, Gs, OrigEax, Eip, Cs, Eflags, Esp, Ss }
    public const int UserRegsSizeX86 = 17 * 4;

    /// <summary>arm64 user_pt_regs {x0-x30, sp, pc, pstate}; user_fpsimd_state {v0-v31, fpsr, fpcr, 2 reserved}.</summary>
    public const int UserRegsSizeArm64 = 34 * 8, FpSimdSizeArm64 = 32 * 16 + 8;

    /// <summary>The standard (non-compacted) XSAVE layout: XSTATE_BV at 512, YMM_Hi128 at 576.</summary>
    public const int XSaveHeaderOffset = 512, XSaveYmmOffset = 576;

    /// <summary>The debug registers Dr0-Dr3, Dr6, Dr7, in that order (ptrace reads them; a core has none).</summary>
    public readonly record struct DebugRegisters(ulong Dr0, ulong Dr1, ulong Dr2, ulong Dr3, ulong Dr6, ulong Dr7);

    /// <summary>
    /// The AMD64 CONTEXT for a user_regs_struct and its FXSAVE image (NT_PRFPREG), with the upper YMM halves when
    /// the caller asked for the AVX state and has them.
    /// </summary>
    public static ContextAmd64 Amd64(byte[] regs, byte[] fxsave, DebugRegisters debug = default, byte[]? ymmHigh = null)
    {
        ulong R(Reg reg) => BinaryPrimitives.ReadUInt64LittleEndian(regs.AsSpan((int)reg * 8));
        return new ContextAmd64
        {
            ContextFlags = ContextAmd64.FlagAll,
            MxCsr = BinaryPrimitives.ReadUInt32LittleEndian(fxsave.AsSpan(24)),
            Cs = (ushort)R(Reg.Cs),
            Ds = (ushort)R(Reg.Ds),
            Es = (ushort)R(Reg.Es),
            Fs = (ushort)R(Reg.Fs),
            Gs = (ushort)R(Reg.Gs),
            Ss = (ushort)R(Reg.Ss),
            EFlags = (uint)R(Reg.Eflags),
            Dr0 = debug.Dr0,
            Dr1 = debug.Dr1,
            Dr2 = debug.Dr2,
            Dr3 = debug.Dr3,
            Dr6 = debug.Dr6,
            Dr7 = debug.Dr7,
            Rax = R(Reg.Rax),
            Rcx = R(Reg.Rcx),
            Rdx = R(Reg.Rdx),
            Rbx = R(Reg.Rbx),
            Rsp = R(Reg.Rsp),
            Rbp = R(Reg.Rbp),
            Rsi = R(Reg.Rsi),
            Rdi = R(Reg.Rdi),
            R8 = R(Reg.R8),
            R9 = R(Reg.R9),
            R10 = R(Reg.R10),
            R11 = R(Reg.R11),
            R12 = R(Reg.R12),
            R13 = R(Reg.R13),
            R14 = R(Reg.R14),
            R15 = R(Reg.R15),
            Rip = R(Reg.Rip),
            FltSave = fxsave,
            YmmHigh = ymmHigh,
        };
    }

    /// <summary>
    /// The user_regs_struct for an AMD64 CONTEXT (what a core's NT_PRSTATUS holds): the inverse of <see cref="Amd64"/>.
    /// A CONTEXT has no orig_rax; -1 says "not in a system call", as the kernel writes it for a thread outside one.
    /// </summary>
    public static byte[] UserRegsAmd64(ContextAmd64 c, ulong fsBase, ulong gsBase = 0)
    {
        var regs = new byte[UserRegsSizeAmd64];
        void W(Reg reg, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(regs.AsSpan((int)reg * 8), value);
        W(Reg.R15, c.R15); W(Reg.R14, c.R14); W(Reg.R13, c.R13); W(Reg.R12, c.R12); W(Reg.Rbp, c.Rbp); W(Reg.Rbx, c.Rbx);
        W(Reg.R11, c.R11); W(Reg.R10, c.R10); W(Reg.R9, c.R9); W(Reg.R8, c.R8); W(Reg.Rax, c.Rax); W(Reg.Rcx, c.Rcx);
        W(Reg.Rdx, c.Rdx); W(Reg.Rsi, c.Rsi); W(Reg.Rdi, c.Rdi); W(Reg.OrigRax, ulong.MaxValue); W(Reg.Rip, c.Rip);
        W(Reg.Cs, c.Cs); W(Reg.Eflags, c.EFlags); W(Reg.Rsp, c.Rsp); W(Reg.Ss, c.Ss); W(Reg.FsBase, fsBase); W(Reg.GsBase, gsBase);
        W(Reg.Ds, c.Ds); W(Reg.Es, c.Es); W(Reg.Fs, c.Fs); W(Reg.Gs, c.Gs);
        return regs;
    }

    /// <summary>The i386 user_regs_struct for an x86 CONTEXT: the inverse of <see cref="X86"/> (orig_eax -1, as for <see cref="UserRegsAmd64"/>).</summary>
    public static byte[] UserRegsX86(ContextX86 c)
    {
        var regs = new byte[UserRegsSizeX86];
        void W(RegX86 reg, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(regs.AsSpan((int)reg * 4), value);
        W(RegX86.Ebx, c.Ebx); W(RegX86.Ecx, c.Ecx); W(RegX86.Edx, c.Edx); W(RegX86.Esi, c.Esi); W(RegX86.Edi, c.Edi); W(RegX86.Ebp, c.Ebp);
        W(RegX86.Eax, c.Eax); W(RegX86.Ds, c.SegDs); W(RegX86.Es, c.SegEs); W(RegX86.Fs, c.SegFs); W(RegX86.Gs, c.SegGs);
        W(RegX86.OrigEax, uint.MaxValue); W(RegX86.Eip, c.Eip); W(RegX86.Cs, c.SegCs); W(RegX86.Eflags, c.EFlags); W(RegX86.Esp, c.Esp);
        W(RegX86.Ss, c.SegSs);
        return regs;
    }

    /// <summary>fs_base (the x86_64 thread pointer) in a user_regs_struct.</summary>
    public static ulong FsBase(byte[] regs) => BinaryPrimitives.ReadUInt64LittleEndian(regs.AsSpan((int)Reg.FsBase * 8));

    /// <summary>
    /// The upper halves of YMM0-15 in an XSAVE image (NT_X86_XSTATE), or null when the image is too short to hold
    /// them. A component not in XSTATE_BV is in its initial state: zeros.
    /// </summary>
    public static byte[]? YmmHigh(ReadOnlySpan<byte> xsave)
    {
        if (xsave.Length < XSaveYmmOffset + ContextAmd64.YmmHighSize)
            return null;
        ulong xstateBv = BinaryPrimitives.ReadUInt64LittleEndian(xsave[XSaveHeaderOffset..]);
        return (xstateBv & ContextAmd64.XStateMaskAvx) != 0
            ? xsave.Slice(XSaveYmmOffset, ContextAmd64.YmmHighSize).ToArray()
            : new byte[ContextAmd64.YmmHighSize];
    }

    /// <summary>
    /// The x86 CONTEXT for an i386 user_regs_struct, its FSAVE image (108 bytes) and FXSAVE image (512). Without an
    /// FXSAVE image (a core that has none) the context does not claim EXTENDED_REGISTERS.
    /// </summary>
    public static ContextX86 X86(byte[] regs, byte[] fsave, byte[]? fxsave, DebugRegisters debug = default)
    {
        uint R(RegX86 reg) => BinaryPrimitives.ReadUInt32LittleEndian(regs.AsSpan((int)reg * 4));
        var floatSave = new byte[ContextX86.FloatSaveSize];
        // FLOATING_SAVE_AREA is the FSAVE image followed by Cr0NpxState, which Linux does not report (left 0).
        fsave.AsSpan(0, ContextX86.FSaveImageSize).CopyTo(floatSave);
        return new ContextX86
        {
            ContextFlags = fxsave is null ? ContextX86.FlagAll & ~ContextX86.FlagExtendedRegistersBit : ContextX86.FlagAll,
            Dr0 = (uint)debug.Dr0,
            Dr1 = (uint)debug.Dr1,
            Dr2 = (uint)debug.Dr2,
            Dr3 = (uint)debug.Dr3,
            Dr6 = (uint)debug.Dr6,
            Dr7 = (uint)debug.Dr7,
            FloatSave = floatSave,
            SegGs = R(RegX86.Gs) & 0xFFFF,
            SegFs = R(RegX86.Fs) & 0xFFFF,
            SegEs = R(RegX86.Es) & 0xFFFF,
            SegDs = R(RegX86.Ds) & 0xFFFF,
            Edi = R(RegX86.Edi),
            Esi = R(RegX86.Esi),
            Ebx = R(RegX86.Ebx),
            Edx = R(RegX86.Edx),
            Ecx = R(RegX86.Ecx),
            Eax = R(RegX86.Eax),
            Ebp = R(RegX86.Ebp),
            Eip = R(RegX86.Eip),
            SegCs = R(RegX86.Cs) & 0xFFFF,
            EFlags = R(RegX86.Eflags),
            Esp = R(RegX86.Esp),
            SegSs = R(RegX86.Ss) & 0xFFFF,
            ExtendedRegisters = fxsave is null ? new byte[ContextX86.ExtendedRegistersSize] : fxsave.AsSpan(0, ContextX86.ExtendedRegistersSize).ToArray(),
        };
    }

    /// <summary>
    /// The ARM64 CONTEXT for a user_pt_regs (NT_PRSTATUS) and a user_fpsimd_state (NT_PRFPREG; null in a core
    /// without one). Note the order: the kernel has fpsr before fpcr, CONTEXT the other way round.
    /// </summary>
    public static ContextArm64 Arm64(byte[] regs, byte[]? fpsimd)
    {
        ulong R(int i) => BinaryPrimitives.ReadUInt64LittleEndian(regs.AsSpan(8 * i));
        var x = new ulong[29];
        for (int i = 0; i < x.Length; i++)
            x[i] = R(i);
        bool fp = fpsimd is { Length: >= FpSimdSizeArm64 };
        return new ContextArm64
        {
            ContextFlags = fp ? ContextArm64.FlagFull : ContextArm64.FlagFull & ~ContextArm64.FlagFloatingPointBit,
            X = x,
            Fp = R(29),
            Lr = R(30),
            Sp = R(31),
            Pc = R(32),
            Cpsr = (uint)R(33),
            V = fp ? fpsimd.AsSpan(0, 512).ToArray() : new byte[512],
            Fpsr = fp ? BinaryPrimitives.ReadUInt32LittleEndian(fpsimd.AsSpan(512)) : 0,
            Fpcr = fp ? BinaryPrimitives.ReadUInt32LittleEndian(fpsimd.AsSpan(516)) : 0,
        };
    }
}
