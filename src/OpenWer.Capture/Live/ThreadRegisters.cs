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

    public static unsafe (ContextAmd64 Context, ulong FsBase) ReadAmd64(int tid, bool withXState)
    {
        var regs = new byte[UserRegsSize];
        var fp = new byte[ContextAmd64.FxSaveSize];
        fixed (byte* r = regs)
        fixed (byte* f = fp)
        {
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGS, tid, 0, (nint)r), tid, "PTRACE_GETREGS");
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETFPREGS, tid, 0, (nint)f), tid, "PTRACE_GETFPREGS");
        }
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
    public static unsafe (ContextArm64 Context, ulong Tpidr) ReadArm64(int tid)
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

    private static void Check(nint result, int tid, string what)
    {
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == LinuxApi.ESRCH
                ? new ThreadVanishedException(tid)
                : new CaptureException($"{what} on thread {tid} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }
}

/// <summary>A thread exited between being listed and being read; it is left out of the snapshot.</summary>
internal sealed class ThreadVanishedException(int tid) : Exception($"thread {tid} exited");
