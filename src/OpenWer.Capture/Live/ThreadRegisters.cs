using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OpenWer.Capture.Native;
using OpenWer.Format.Contexts;

namespace OpenWer.Capture.Live;

/// <summary>Reads a stopped tracee's registers into the Windows CONTEXT layouts. Call on the ptrace thread only.</summary>
internal static class ThreadRegisters
{
    // struct user_regs_struct (x86_64), in order; 27 u64 = 216 bytes.
    private enum Reg { R15, R14, R13, R12, Rbp, Rbx, R11, R10, R9, R8, Rax, Rcx, Rdx, Rsi, Rdi, OrigRax, Rip, Cs, Eflags, Rsp, Ss, FsBase, GsBase, Ds, Es, Fs, Gs }
    private const int UserRegsSize = 27 * 8;
    /// <summary>offsetof(struct user, u_debugreg) on x86_64.</summary>
    private const int DebugRegOffset = 848;
    /// <summary>YMM_Hi128 lives at 576 in the standard (non-compacted) XSAVE layout ptrace returns; XSTATE_BV at 512.</summary>
    private const int XSaveYmmOffset = 576, XSaveHeaderOffset = 512, XSaveReadSize = 4096;

    /// <summary>
    /// Reads a stopped thread's registers in the CONTEXT of the thread's own ABI. On x86_64 the kernel answers
    /// PTRACE_GETREGSET NT_PRSTATUS with the regset of the tracee's view: the 216-byte user_regs_struct of a 64-bit
    /// task, the 68-byte i386 one of a 32-bit (compat) task. PTRACE_GETREGS would give a 32-bit task's registers
    /// widened into the 64-bit layout, which is how an i386 process used to get an AMD64 dump.
    /// </summary>
    public static ThreadRegistersRead Read(int tid, bool withXState)
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            var (a, tp) = ReadArm64(tid);
            return new ThreadRegistersRead(null, a, tp);
        }
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new CaptureException($"dumping processes on {RuntimeInformation.ProcessArchitecture} is not supported");
        var regs = ReadRegSet(tid, LinuxApi.NT_PRSTATUS, UserRegsSize, "PTRACE_GETREGSET NT_PRSTATUS");
        if (regs.Length == UserRegsSize)
        {
            var (c, fs) = ReadAmd64(tid, withXState, regs);
            return new ThreadRegistersRead(c, null, fs);
        }
        if (regs.Length == UserRegsSizeX86)
        {
            var (x, tp) = ReadX86(tid, regs);
            return new ThreadRegistersRead(null, null, tp) { X86 = x };
        }
        throw new CaptureException($"thread {tid}'s general registers are {regs.Length} bytes, neither an x86_64 ({UserRegsSize}) nor an i386 ({UserRegsSizeX86}) user_regs_struct");
    }

    private static unsafe (ContextAmd64 Context, ulong FsBase) ReadAmd64(int tid, bool withXState, byte[] regs)
    {
        var fp = new byte[ContextAmd64.FxSaveSize];
        fixed (byte* f = fp)
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETFPREGS, tid, 0, (nint)f), tid, "PTRACE_GETFPREGS");
        var c = FromUserRegs(regs, fp);
        c.Dr0 = PeekUser(tid, DebugRegOffset + 0);
        c.Dr1 = PeekUser(tid, DebugRegOffset + 8);
        c.Dr2 = PeekUser(tid, DebugRegOffset + 16);
        c.Dr3 = PeekUser(tid, DebugRegOffset + 24);
        c.Dr6 = PeekUser(tid, DebugRegOffset + 48);
        c.Dr7 = PeekUser(tid, DebugRegOffset + 56);
        if (withXState)
            c.YmmHigh = ReadYmmHigh(tid);
        return (c, BinaryPrimitives.ReadUInt64LittleEndian(regs.AsSpan((int)Reg.FsBase * 8)));
    }

    /// <summary>
    /// A 32-bit task: NT_PRFPREG is its 108-byte FSAVE image (user_i387_struct), NT_PRXFPREG its 512-byte FXSAVE
    /// image. The debug registers are read at the 64-bit struct user offsets, the tracer's view. The thread pointer
    /// is the base of the GDT entry %gs selects (i386 TLS), from PTRACE_GET_THREAD_AREA; 0 when there is none.
    /// </summary>
    private static (ContextX86 Context, ulong ThreadPointer) ReadX86(int tid, byte[] regs)
    {
        var fsave = ReadRegSet(tid, LinuxApi.NT_PRFPREG, ContextX86.FSaveImageSize, "PTRACE_GETREGSET NT_PRFPREG");
        var fxsave = TryReadRegSet(tid, LinuxApi.NT_PRXFPREG, ContextX86.ExtendedRegistersSize)
            ?? LegacyRegion(ReadRegSet(tid, LinuxApi.NT_X86_XSTATE, XSaveReadSize, "PTRACE_GETREGSET NT_X86_XSTATE"));
        if (fsave.Length != ContextX86.FSaveImageSize || fxsave.Length != ContextX86.ExtendedRegistersSize)
            throw new CaptureException($"thread {tid}'s i386 floating-point registers are {fsave.Length} and {fxsave.Length} bytes, expected {ContextX86.FSaveImageSize} and {ContextX86.ExtendedRegistersSize}");
        var c = FromUserRegsX86(regs, fsave, fxsave);
        c.Dr0 = (uint)PeekUser(tid, DebugRegOffset + 0);
        c.Dr1 = (uint)PeekUser(tid, DebugRegOffset + 8);
        c.Dr2 = (uint)PeekUser(tid, DebugRegOffset + 16);
        c.Dr3 = (uint)PeekUser(tid, DebugRegOffset + 24);
        c.Dr6 = (uint)PeekUser(tid, DebugRegOffset + 48);
        c.Dr7 = (uint)PeekUser(tid, DebugRegOffset + 56);
        return (c, ThreadAreaBase(tid, c.SegGs));
    }

    // struct user_regs_struct (i386), in order; 17 u32 = 68 bytes.
    private enum RegX86 { Ebx, Ecx, Edx, Esi, Edi, Ebp, Eax, Ds, Es, Fs, Gs, OrigEax, Eip, Cs, Eflags, Esp, Ss }
    public const int UserRegsSizeX86 = 17 * 4;

    /// <summary>
    /// The x86 CONTEXT for an i386 user_regs_struct, its FSAVE image (108 bytes) and FXSAVE image (512), from ptrace
    /// or a core's notes. Without an FXSAVE image (a core that has none) the context does not claim EXTENDED_REGISTERS.
    /// </summary>
    public static ContextX86 FromUserRegsX86(byte[] regs, byte[] fsave, byte[]? fxsave)
    {
        uint R(RegX86 reg) => BinaryPrimitives.ReadUInt32LittleEndian(regs.AsSpan((int)reg * 4));
        var floatSave = new byte[ContextX86.FloatSaveSize];
        // FLOATING_SAVE_AREA is the FSAVE image followed by Cr0NpxState, which Linux does not report (left 0).
        fsave.AsSpan(0, ContextX86.FSaveImageSize).CopyTo(floatSave);
        return new ContextX86
        {
            ContextFlags = fxsave is null ? ContextX86.FlagAll & ~ContextX86.FlagExtendedRegistersBit : ContextX86.FlagAll,
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

    /// <summary>The base of the GDT TLS entry a %gs selector names (struct user_desc: entry_number, base_addr, ...), or 0.</summary>
    private static unsafe ulong ThreadAreaBase(int tid, uint gs)
    {
        // A GDT selector (table indicator bit 2 clear); its index is the selector shifted by 3.
        if (gs == 0 || (gs & 4) != 0)
            return 0;
        var desc = new byte[16];
        fixed (byte* d = desc)
        {
            if (LinuxApi.Ptrace(LinuxApi.PTRACE_GET_THREAD_AREA, tid, (nint)(gs >> 3), (nint)d) < 0)
                return 0;
        }
        return BinaryPrimitives.ReadUInt32LittleEndian(desc.AsSpan(4));
    }

    /// <summary>
    /// The FXSAVE image at the start of an XSAVE area. Some kernels (6.18 here) offer a 32-bit task no NT_PRXFPREG
    /// regset (EINVAL), only NT_X86_XSTATE, whose first 512 bytes the kernel fills in the FXSAVE format.
    /// </summary>
    private static byte[] LegacyRegion(byte[] xsave) => xsave.AsSpan(0, Math.Min(xsave.Length, ContextX86.ExtendedRegistersSize)).ToArray();

    /// <summary>PTRACE_GETREGSET of a regset the kernel may not offer: null when it refuses with EINVAL (no such regset).</summary>
    private static unsafe byte[]? TryReadRegSet(int tid, int type, int capacity)
    {
        var buffer = new byte[capacity];
        fixed (byte* b = buffer)
        {
            var iov = new LinuxApi.IoVec { Base = (nint)b, Length = (nuint)buffer.Length };
            if (LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, type, (nint)(&iov)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxApi.EINVAL)
                    return null;
                Check(-1, tid, $"PTRACE_GETREGSET 0x{type:x}", errno);
            }
            if ((int)iov.Length != capacity)
                return null;
        }
        return buffer;
    }

    /// <summary>PTRACE_GETREGSET into a buffer of <paramref name="capacity"/> bytes; returns what the kernel filled.</summary>
    private static unsafe byte[] ReadRegSet(int tid, int type, int capacity, string what)
    {
        var buffer = new byte[capacity];
        int length;
        fixed (byte* b = buffer)
        {
            var iov = new LinuxApi.IoVec { Base = (nint)b, Length = (nuint)buffer.Length };
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, type, (nint)(&iov)), tid, what);
            length = (int)iov.Length;
        }
        return length == capacity ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>The CONTEXT for a user_regs_struct and an FXSAVE image (from ptrace, or from a core's NT_PRSTATUS and NT_PRFPREG).</summary>
    public static ContextAmd64 FromUserRegs(byte[] regs, byte[] fp)
    {
        ulong R(Reg reg) => BinaryPrimitives.ReadUInt64LittleEndian(regs.AsSpan((int)reg * 8));
        return new ContextAmd64
        {
            ContextFlags = ContextAmd64.FlagAll,
            MxCsr = BinaryPrimitives.ReadUInt32LittleEndian(fp.AsSpan(24)),
            Cs = (ushort)R(Reg.Cs),
            Ds = (ushort)R(Reg.Ds),
            Es = (ushort)R(Reg.Es),
            Fs = (ushort)R(Reg.Fs),
            Gs = (ushort)R(Reg.Gs),
            Ss = (ushort)R(Reg.Ss),
            EFlags = (uint)R(Reg.Eflags),
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
            FltSave = fp,
        };
    }

    /// <summary>fs_base in a user_regs_struct.</summary>
    public static ulong FsBase(byte[] regs) => BinaryPrimitives.ReadUInt64LittleEndian(regs.AsSpan((int)Reg.FsBase * 8));

    private static unsafe byte[]? ReadYmmHigh(int tid)
    {
        var xsave = new byte[XSaveReadSize];
        fixed (byte* x = xsave)
        {
            var iov = new LinuxApi.IoVec { Base = (nint)x, Length = (nuint)xsave.Length };
            if (LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, LinuxApi.NT_X86_XSTATE, (nint)(&iov)) < 0)
                return null;
            if ((int)iov.Length < XSaveYmmOffset + ContextAmd64.YmmHighSize)
                return null;
        }
        ulong xstateBv = BinaryPrimitives.ReadUInt64LittleEndian(xsave.AsSpan(XSaveHeaderOffset));
        // A component not in XSTATE_BV is in its initial state: zeros.
        return (xstateBv & ContextAmd64.XStateMaskAvx) != 0
            ? xsave.AsSpan(XSaveYmmOffset, ContextAmd64.YmmHighSize).ToArray()
            : new byte[ContextAmd64.YmmHighSize];
    }

    /// <summary>arm64: NT_PRSTATUS user_pt_regs {x0-x30, sp, pc, pstate}, NT_PRFPREG {v0-v31, fpsr, fpcr}, NT_ARM_TLS.</summary>
    private static unsafe (ContextArm64 Context, ulong Tpidr) ReadArm64(int tid)
    {
        var gp = new byte[34 * 8];
        var fp = new byte[32 * 16 + 8];
        var tls = new byte[8];
        fixed (byte* g = gp)
        fixed (byte* f = fp)
        fixed (byte* t = tls)
        {
            var iov = new LinuxApi.IoVec { Base = (nint)g, Length = (nuint)gp.Length };
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, LinuxApi.NT_PRSTATUS, (nint)(&iov)), tid, "PTRACE_GETREGSET NT_PRSTATUS");
            // A 32-bit (AArch32) task answers with its 72-byte pt_regs: its dump would need the ARM CONTEXT, not written yet.
            if ((int)iov.Length != gp.Length)
                throw new CaptureException($"thread {tid} is a 32-bit ARM thread ({(int)iov.Length}-byte registers); dumping 32-bit ARM processes is not supported");
            iov = new LinuxApi.IoVec { Base = (nint)f, Length = (nuint)fp.Length };
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, LinuxApi.NT_PRFPREG, (nint)(&iov)), tid, "PTRACE_GETREGSET NT_PRFPREG");
            iov = new LinuxApi.IoVec { Base = (nint)t, Length = 8 };
            LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, LinuxApi.NT_ARM_TLS, (nint)(&iov));
        }
        var c = new ContextArm64();
        for (int i = 0; i < 29; i++)
            c.X[i] = BinaryPrimitives.ReadUInt64LittleEndian(gp.AsSpan(8 * i));
        c.Fp = BinaryPrimitives.ReadUInt64LittleEndian(gp.AsSpan(8 * 29));
        c.Lr = BinaryPrimitives.ReadUInt64LittleEndian(gp.AsSpan(8 * 30));
        c.Sp = BinaryPrimitives.ReadUInt64LittleEndian(gp.AsSpan(8 * 31));
        c.Pc = BinaryPrimitives.ReadUInt64LittleEndian(gp.AsSpan(8 * 32));
        c.Cpsr = (uint)BinaryPrimitives.ReadUInt64LittleEndian(gp.AsSpan(8 * 33));
        c.V = fp.AsSpan(0, 512).ToArray();
        c.Fpsr = BinaryPrimitives.ReadUInt32LittleEndian(fp.AsSpan(512)); // kernel order: fpsr, then fpcr
        c.Fpcr = BinaryPrimitives.ReadUInt32LittleEndian(fp.AsSpan(516));
        return (c, BinaryPrimitives.ReadUInt64LittleEndian(tls));
    }

    private static ulong PeekUser(int tid, int offset)
    {
        Marshal.SetLastPInvokeError(0);
        nint value = LinuxApi.Ptrace(LinuxApi.PTRACE_PEEKUSER, tid, offset, 0);
        return value == -1 && Marshal.GetLastPInvokeError() != 0 ? 0 : (ulong)value;
    }

    private static void Check(nint result, int tid, string what, int? knownErrno = null)
    {
        if (result < 0)
        {
            int errno = knownErrno ?? Marshal.GetLastPInvokeError();
            throw errno == LinuxApi.ESRCH
                ? new ThreadVanishedException(tid)
                : new CaptureException($"{what} on thread {tid} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }
}

/// <summary>A thread exited between being listed and being read; it is left out of the snapshot.</summary>
internal sealed class ThreadVanishedException(int tid) : Exception($"thread {tid} exited");
