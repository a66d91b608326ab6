using Microsoft.Win32.SafeHandles;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The kernel starts a pipe handler with only stdin (the core) and fd 3 (the pidfd) open: descriptors 1 and 2 are
/// closed, and the runtime's first descriptors (its signal pipe) take those numbers, so the handler's own error
/// output would be lost, or worse, read as signals. Before anything else the handler points 1 and 2 at its log
/// (opened for atomic appends) and starts itself again, once, so the runtime finds them taken.
/// </summary>
internal static unsafe class StandardStreams
{
    private const string Marker = "OPENWER_HANDLER_STDIO";

    public static void Attach()
    {
        if (Environment.GetEnvironmentVariable(Marker) is not null)
            return;
        SafeFileHandle log;
        try
        {
            // Not close-on-exec: it is to survive the exec below as 1 and 2.
            log = RootFiles.Open(HandlerLog.FilePath, RootFiles.O_WRONLY | RootFiles.O_APPEND | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW);
        }
        catch (IOException)
        {
            return;
        }
        var words = NativeStrings.OwnCommandLine();
        if (words.Count == 0)
        {
            log.Dispose();
            return;
        }
        using var args = new NativeStrings(words);
        using var env = new NativeStrings(NativeStrings.EnvironmentWith(Marker, "1"));
        // Without the log as stdout and stderr there is no point in starting again: go on as we are.
        if (LibC.Dup2(log, 1) < 0 || LibC.Dup2(log, 2) < 0)
        {
            log.Dispose();
            return;
        }
        fixed (nint* a = args.Vector)
        fixed (nint* e = env.Vector)
            LibC.Execve("/proc/self/exe", (byte**)a, (byte**)e);
        // Only if exec failed: go on as we are.
        log.Dispose();
    }
}
