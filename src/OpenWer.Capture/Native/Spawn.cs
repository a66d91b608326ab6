using System.Runtime.InteropServices;

namespace OpenWer.Capture.Native;

/// <summary>
/// posix_spawn, for a child the .NET runtime does not know of (its SIGCHLD handling would otherwise reap the
/// child's ptrace stops). SIGPIPE, which the runtime ignores, is reset to its default in the child, and the
/// signal mask emptied, so the program starts as it would from a shell.
/// </summary>
internal static unsafe partial class Spawn
{
    private const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    private const int SIGPIPE = 13;

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int PosixSpawn(out int pid, byte* path, nint fileActions, byte* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int AttrInit(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int AttrDestroy(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int AttrSetFlags(byte* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int AttrSetSigDefault(byte* attributes, byte* set);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int AttrSetSigMask(byte* attributes, byte* set);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SigEmptySet(byte* set);

    [LibraryImport("libc", EntryPoint = "sigaddset")]
    private static partial int SigAddSet(byte* set, int signal);

    /// <summary>Starts <paramref name="argv"/>[0] (a path) with this process's environment; returns its pid or throws.</summary>
    public static int Start(IReadOnlyList<string> argv)
    {
        var strings = new List<nint>();
        try
        {
            nint Utf8(string s)
            {
                nint p = Marshal.StringToCoTaskMemUTF8(s);
                strings.Add(p);
                return p;
            }
            var args = new nint[argv.Count + 1];
            for (int i = 0; i < argv.Count; i++)
                args[i] = Utf8(argv[i]);
            var env = new List<nint>();
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
                env.Add(Utf8($"{e.Key}={e.Value}"));
            env.Add(0);
            var envp = env.ToArray();
            byte* attributes = stackalloc byte[1024]; // posix_spawnattr_t is 336 bytes on glibc
            byte* defaults = stackalloc byte[128];    // sigset_t
            byte* mask = stackalloc byte[128];
            // posix_spawnattr_* return an error number (0 on success); the sig*set calls -1 only for a bad signal number.
            Checked(AttrInit(attributes), "posix_spawnattr_init", argv[0]);
            try
            {
                if (SigEmptySet(defaults) != 0 || SigAddSet(defaults, SIGPIPE) != 0 || SigEmptySet(mask) != 0)
                    throw new CaptureException($"cannot start {argv[0]}: building its signal sets failed");
                Checked(AttrSetSigDefault(attributes, defaults), "posix_spawnattr_setsigdefault", argv[0]);
                Checked(AttrSetSigMask(attributes, mask), "posix_spawnattr_setsigmask", argv[0]);
                Checked(AttrSetFlags(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags", argv[0]);
                fixed (nint* a = args)
                fixed (nint* e = envp)
                {
                    int error = PosixSpawn(out int pid, (byte*)args[0], 0, attributes, (byte**)a, (byte**)e);
                    if (error != 0)
                        throw new CaptureException($"cannot start {argv[0]}: {Marshal.GetPInvokeErrorMessage(error)}");
                    return pid;
                }
            }
            finally
            {
                _ = AttrDestroy(attributes); // glibc's frees nothing and cannot fail; a failure would leave nothing to undo
            }
        }
        finally
        {
            foreach (var p in strings)
                Marshal.FreeCoTaskMem(p);
        }
    }

    private static void Checked(int error, string call, string program)
    {
        if (error != 0)
            throw new CaptureException($"cannot start {program}: {call} failed: {Marshal.GetPInvokeErrorMessage(error)}");
    }
}
