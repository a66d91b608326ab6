using System.Runtime.InteropServices;

namespace OpenWer.Capture.Native;

/// <summary>The libc calls capture needs. ptrace is called only from <see cref="Live.PtraceThread"/>.</summary>
internal static partial class LinuxApi
{
    public const int PTRACE_PEEKUSER = 3;
    public const int PTRACE_GETREGS = 12;
    public const int PTRACE_GETFPREGS = 14;
    public const int PTRACE_DETACH = 17;
    public const int PTRACE_GETREGSET = 0x4204;
    public const int PTRACE_SEIZE = 0x4206;
    public const int PTRACE_INTERRUPT = 0x4207;
    public const int PTRACE_EVENT_STOP = 128;
    public const int PTRACE_CONT = 7;
    public const int PTRACE_GETEVENTMSG = 0x4201;
    public const int PTRACE_GETSIGINFO = 0x4202;
    public const int PTRACE_LISTEN = 0x4208;
    public const int PTRACE_O_TRACECLONE = 0x8, PTRACE_O_TRACEEXEC = 0x10;
    public const int PTRACE_EVENT_CLONE = 3, PTRACE_EVENT_EXEC = 4;
    public const int SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGCONT = 18;

    public const int NT_PRSTATUS = 1, NT_PRFPREG = 2, NT_X86_XSTATE = 0x202, NT_ARM_TLS = 0x401;
    /// <summary>A 32-bit x86 task's FXSAVE image (user_fxsr_struct, 512 bytes).</summary>
    public const int NT_PRXFPREG = 0x46e584eb;
    /// <summary>x86: reads a GDT TLS entry (addr = entry index) into a struct user_desc.</summary>
    public const int PTRACE_GET_THREAD_AREA = 25;

    public const int WALL = 0x40000000;
    public const int WNOHANG = 1;
    public const int EPERM = 1, ESRCH = 3, EINTR = 4, EFAULT = 14, EIO = 5, ENOSYS = 38, ECHILD = 10, EINVAL = 22;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    // glibc's ptrace is variadic; every argument here is an integer or pointer, which the x86_64 and
    // aarch64 Linux ABIs pass alike for variadic and fixed calls.
    [LibraryImport("libc", EntryPoint = "ptrace", SetLastError = true)]
    public static partial nint Ptrace(nint request, int pid, nint addr, nint data);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "process_vm_readv", SetLastError = true)]
    public static unsafe partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    public const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial Microsoft.Win32.SafeHandles.SafeFileHandle Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    public static partial nint SysConf(int name);

    public const int SC_CLK_TCK = 2;
}
