using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OpenWer.Capture.Native;
using OpenWer.Capture.Kernel;
using OpenWer.Format.Contexts;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Live;

/// <summary>Reads a stopped tracee's registers into the Windows CONTEXT layouts. Call on the ptrace thread only.</summary>
internal static class ThreadRegisters
{
    private const int UserRegsSize = KernelRegisterSets.UserRegsSizeAmd64, UserRegsSizeX86 = KernelRegisterSets.UserRegsSizeX86;
    /// <summary>offsetof(struct user, u_debugreg) on x86_64.</summary>
    private const int DebugRegOffset = 848;
    /// <summary>Room for the XSAVE image ptrace returns (its standard layout holds YMM_Hi128 well inside).</summary>
    private const int XSaveReadSize = 4096;

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
            return new ThreadRegistersRead(new Arm64Context(a), tp);
        }
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new CaptureException($"dumping processes on {RuntimeInformation.ProcessArchitecture} is not supported");
        var regs = ReadRegSet(tid, LinuxApi.NT_PRSTATUS, UserRegsSize, "PTRACE_GETREGSET NT_PRSTATUS");
        if (regs.Length == UserRegsSize)
        {
            var c = ReadAmd64(tid, withXState, regs);
            return new ThreadRegistersRead(new Amd64Context(c), KernelRegisterSets.FsBase(regs));
        }
        if (regs.Length == UserRegsSizeX86)
        {
            var (x, tp) = ReadX86(tid, regs);
            return new ThreadRegistersRead(new X86Context(x), tp);
        }
        throw new CaptureException($"thread {tid}'s general registers are {regs.Length} bytes, neither an x86_64 ({UserRegsSize}) nor an i386 ({UserRegsSizeX86}) user_regs_struct");
    }

    private static unsafe ContextAmd64 ReadAmd64(int tid, bool withXState, byte[] regs)
    {
        var fp = new byte[ContextAmd64.FxSaveSize];
        fixed (byte* f = fp)
            Check(LinuxApi.Ptrace(LinuxApi.PTRACE_GETFPREGS, tid, 0, (nint)f), tid, "PTRACE_GETFPREGS");
        return KernelRegisterSets.Amd64(regs, fp, ReadDebugRegisters(tid), withXState ? ReadYmmHigh(tid) : null);
    }

    /// <summary>Dr0-Dr3, Dr6, Dr7 at their struct user offsets (the tracer's 64-bit view, also for a 32-bit task).</summary>
    private static KernelRegisterSets.DebugRegisters ReadDebugRegisters(int tid) => new(
        PeekUser(tid, DebugRegOffset + 0), PeekUser(tid, DebugRegOffset + 8), PeekUser(tid, DebugRegOffset + 16),
        PeekUser(tid, DebugRegOffset + 24), PeekUser(tid, DebugRegOffset + 48), PeekUser(tid, DebugRegOffset + 56));

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
        var c = KernelRegisterSets.X86(regs, fsave, fxsave, ReadDebugRegisters(tid));
        return (c, ThreadAreaBase(tid, c.SegGs));
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

    private static unsafe byte[]? ReadYmmHigh(int tid)
    {
        var xsave = new byte[XSaveReadSize];
        int length;
        fixed (byte* x = xsave)
        {
            var iov = new LinuxApi.IoVec { Base = (nint)x, Length = (nuint)xsave.Length };
            if (LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, LinuxApi.NT_X86_XSTATE, (nint)(&iov)) < 0)
                return null;
            length = (int)iov.Length;
        }
        return KernelRegisterSets.YmmHigh(xsave.AsSpan(0, length));
    }

    /// <summary>arm64: NT_PRSTATUS user_pt_regs {x0-x30, sp, pc, pstate}, NT_PRFPREG {v0-v31, fpsr, fpcr}, NT_ARM_TLS.</summary>
    private static unsafe (ContextArm64 Context, ulong Tpidr) ReadArm64(int tid)
    {
        var gp = new byte[KernelRegisterSets.UserRegsSizeArm64];
        var fp = new byte[KernelRegisterSets.FpSimdSizeArm64];
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
            // A kernel without the NT_ARM_TLS regset refuses it: the thread pointer is then unknown, written as 0.
            if (LinuxApi.Ptrace(LinuxApi.PTRACE_GETREGSET, tid, LinuxApi.NT_ARM_TLS, (nint)(&iov)) < 0)
                tls.AsSpan().Clear();
        }
        var c = KernelRegisterSets.Arm64(gp, fp);
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
