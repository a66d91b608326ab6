using System.Text;
using Microsoft.Win32.SafeHandles;

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
        var argv = Capture.Proc.ProcFiles.ReadBytes("/proc/self/cmdline").AsSpan();
        if (argv.IsEmpty || argv[^1] != 0)
            return;
        var blocks = new List<nint>();
        nint Native(ReadOnlySpan<byte> s)
        {
            nint p = System.Runtime.InteropServices.Marshal.AllocHGlobal(s.Length + 1);
            s.CopyTo(new Span<byte>((void*)p, s.Length));
            ((byte*)p)[s.Length] = 0;
            blocks.Add(p);
            return p;
        }
        var args = new List<nint>();
        while (!argv.IsEmpty)
        {
            int end = argv.IndexOf((byte)0);
            args.Add(Native(argv[..end]));
            argv = argv[(end + 1)..];
        }
        args.Add(0);
        var env = new List<nint>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            env.Add(Native(Encoding.UTF8.GetBytes($"{e.Key}={e.Value}")));
        env.Add(Native(Encoding.UTF8.GetBytes($"{Marker}=1")));
        env.Add(0);
        HandlerNative.Dup2(log, 1);
        HandlerNative.Dup2(log, 2);
        var a = args.ToArray();
        var e2 = env.ToArray();
        fixed (nint* pa = a)
        fixed (nint* pe = e2)
            HandlerNative.Execve("/proc/self/exe", (byte**)pa, (byte**)pe);
        // Only if exec failed: go on as we are.
        foreach (var p in blocks)
            System.Runtime.InteropServices.Marshal.FreeHGlobal(p);
        log.Dispose();
    }
}
