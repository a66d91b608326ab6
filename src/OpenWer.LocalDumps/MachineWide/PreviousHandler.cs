using System.Text;
using Microsoft.Win32.SafeHandles;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The pipe handler registered before ours (systemd-coredump, apport, abrt): started first, with its pattern split
/// into words and each expanded (<see cref="CrashHandlerArguments.ExpandPattern"/>), and fed every byte of the core
/// as we read it (<see cref="Tee"/>), then the rest: it gets the whole core, as the kernel would have given it, and
/// we hold none of it. Never ourselves: a pattern that runs an OpenWer handler (recorded when /etc/openwer was lost
/// and enable ran again from elsewhere) would start an endless chain of root handlers.
/// </summary>
public sealed unsafe class PreviousHandler : IDisposable
{
    /// <summary>Set in the environment of the handler we start: a handler that finds it set was started by us.</summary>
    public const string StartedByUs = "OPENWER_PASSED_ON";

    private readonly int _pid;
    private FileStream? _input;

    public string Pattern { get; }

    private PreviousHandler(int pid, FileStream input, string pattern)
    {
        _pid = pid;
        _input = input;
        Pattern = pattern;
    }

    /// <summary>True if the pattern runs an OpenWer crash handler.</summary>
    public static bool IsOurs(string pattern)
    {
        if (pattern.TrimEnd('\n') == Service.CoredumpService.Pattern)
            return true;
        var words = pattern.TrimStart('|').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length >= 3 && words[1] == "localdumps" && words[2] == "handle")
            return true;
        try
        {
            return words.Length > 0 && SameFile(words[0], "/proc/self/exe");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool SameFile(string a, string b)
    {
        var x = new FileInfo(a);
        if (!x.Exists)
            return false;
        using var fa = File.OpenHandle(a, FileMode.Open, FileAccess.Read);
        using var fb = File.OpenHandle(b, FileMode.Open, FileAccess.Read);
        return FileIdentity(fa) == FileIdentity(fb);
    }

    /// <summary>The mount and inode of an open file (fdinfo's mnt_id and ino): the file itself, whatever its path.</summary>
    private static (string?, string?) FileIdentity(SafeFileHandle file)
    {
        string info = Capture.Proc.ProcFiles.ReadText($"/proc/self/fdinfo/{(int)file.DangerousGetHandle()}");
        return (Capture.Proc.ProcFiles.StatusValue(info, "mnt_id"), Capture.Proc.ProcFiles.StatusValue(info, "ino"));
    }

    /// <summary>Starts the previous pipe handler, or returns null (none, not a pipe, ourselves: <paramref name="skipped"/> says why).</summary>
    public static PreviousHandler? Start(string? pattern, CrashHandlerArguments a, out string? skipped)
    {
        skipped = null;
        if (pattern is null || !pattern.StartsWith('|'))
            return null;
        if (IsOurs(pattern))
        {
            skipped = $"the previous core_pattern ({pattern}) is an OpenWer handler itself: not passed on, which would repeat without end";
            return null;
        }
        var argv = a.ExpandPattern(pattern[1..]);
        if (argv.Count == 0)
            return null;
        int* fds = stackalloc int[2];
        if (LibC.Pipe2(fds, LibC.O_CLOEXEC) != 0)
            throw new IOException($"pipe2: {LibC.Error()}");
        try
        {
            int pid = Spawn(argv, readEnd: fds[0]);
            // The child has its copy; a failure to close ours leaks one descriptor until we exit, nothing more.
            _ = LibC.Close(fds[0]);
            var input = new FileStream(new SafeFileHandle(fds[1], ownsHandle: true), FileAccess.Write, 0);
            return new PreviousHandler(pid, input, pattern);
        }
        catch
        {
            _ = LibC.Close(fds[0]);
            _ = LibC.Close(fds[1]);
            throw;
        }
    }

    /// <summary>The core as we read it, copied to the previous handler on the way.</summary>
    public Stream Tee(Stream core) => new TeeStream(core, this);

    /// <summary>Gives the previous handler the rest of the core and waits for it (at most <paramref name="limit"/>).</summary>
    public void Finish(Stream core, TimeSpan limit)
    {
        if (_input is not null)
        {
            var buffer = new byte[64 << 10];
            int n;
            while ((n = core.Read(buffer)) > 0)
                Write(buffer.AsSpan(0, n));
            _input?.Dispose();
            _input = null;
        }
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (LibC.WaitPid(_pid, out _, LibC.WNOHANG) == 0)
        {
            if (Environment.TickCount64 > deadline)
            {
                // It may end on its own between the two calls: either way it is gone and reaped after them.
                _ = LibC.Kill(_pid, 9);
                _ = LibC.WaitPid(_pid, out _, 0);
                throw new TimeoutException($"the previous handler ({Pattern}) did not finish within {limit.TotalSeconds:0} s and was stopped");
            }
            Thread.Sleep(10);
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_input is null)
            return;
        try
        {
            _input.Write(bytes);
        }
        catch (IOException)
        {
            // It stopped reading (exited): the core is not its business any more; ours goes on.
            _input.Dispose();
            _input = null;
        }
    }

    private static int Spawn(List<byte[]> argv, int readEnd)
    {
        using var args = new NativeStrings(argv);
        // The environment the kernel gave us, and the mark that says the handler was started by OpenWer.
        using var env = new NativeStrings(NativeStrings.EnvironmentWith(StartedByUs, "1"));
        byte* actions = stackalloc byte[256]; // posix_spawn_file_actions_t is 80 bytes on glibc
        // Its standard input is the core; its output and error closed, as the kernel starts a pipe handler.
        if (LibC.FileActionsInit(actions) != 0 || LibC.FileActionsAddDup2(actions, readEnd, 0) != 0
            || LibC.FileActionsAddClose(actions, 1) != 0 || LibC.FileActionsAddClose(actions, 2) != 0)
            throw new IOException("posix_spawn_file_actions failed");
        fixed (nint* a = args.Vector)
        fixed (nint* e = env.Vector)
        {
            int rc = LibC.PosixSpawn(out int pid, (byte*)a[0], actions, 0, (byte**)a, (byte**)e);
            _ = LibC.FileActionsDestroy(actions); // fails only for an uninitialised object
            if (rc != 0)
                throw new IOException($"cannot start {LogText.Escape(argv[0])}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(rc)}");
            return pid;
        }
    }

    public void Dispose() => _input?.Dispose();

    private sealed class TeeStream(Stream core, PreviousHandler next) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = core.Read(buffer);
            next.Write(buffer[..n]);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
