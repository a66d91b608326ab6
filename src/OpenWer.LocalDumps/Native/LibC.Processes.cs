using System.Runtime.InteropServices;

namespace OpenWer.LocalDumps.Native;

/// <summary>The LocalDumps layer's libc calls on processes: signals, waiting, spawning the previous handler, limits.</summary>
internal static unsafe partial class LibC
{
    public const int WNOHANG = 1, RLIMIT_CORE = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    public const int PR_SET_DUMPABLE = 4, PR_SET_NO_NEW_PRIVS = 38;

    // ioctl and prctl are variadic; their pointer and integer arguments are passed alike in both ABIs (prctl options
    // that take fewer than four check the rest are zero).
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, byte* argument);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "pidfd_send_signal", SetLastError = true)]
    public static partial int PidFdSendSignal(int pidfd, int signal, nint info, uint flags);

    [LibraryImport("libc", EntryPoint = "raise")]
    public static partial int Raise(int signal);

    /// <summary>Returns the previous disposition, or SIG_ERR (-1).</summary>
    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    public static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, ref RLimit limit);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Execve(string path, byte** argv, byte** envp);

    // The posix_spawn family returns an error number rather than setting errno.
    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(out int pid, byte* path, byte* fileActions, nint attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclose")]
    public static partial int FileActionsAddClose(byte* actions, int fd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(byte* actions);
}
