using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using OpenWer.LocalDumps.Native;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.MachineWide.Service;

/// <summary>
/// The resident crash handler on the kernel's coredump socket (core_pattern "@@/run/openwer/coredump.socket", Linux
/// 6.17): no fork and exec per crash, its own bounds. It listens on a root-only socket, and only while it listens is
/// core_pattern the socket: at start it takes over from the pipe handler `enable` registered (and persisted), and
/// hands back to it when it stops or fails, so crashes are never sent to a socket no one serves. Each crash is
/// collected as the pipe handler collects it (<see cref="CrashCollection"/>), by a worker thread that holds only the
/// capabilities that takes; the kernel waits (COREDUMP_WAIT) until the service closes the connection, so the crashed
/// process stays readable and cannot be reaped meanwhile.
/// </summary>
public sealed class CoredumpService
{
    public const string Folder = "/run/openwer/service";
    public const string SocketPath = Folder + "/coredump.socket";
    public const string PidFile = Folder + "/coredump.pid";
    private const string LockFile = Folder + "/coredump.lock";
    public const string Pattern = "@@" + SocketPath;

    /// <summary>The first kernel with the coredump socket's request protocol ("@@").</summary>
    public static readonly Version SocketKernel = new(6, 17);

    private const int Workers = 16, WaitingPerUser = 64, WaitingInAll = 1024;

    // What a worker needs: the crashed process's /proc files and memory (SYS_PTRACE, DAC_*; SYS_ADMIN for map_files,
    // through which a module's own file is read even if deleted or replaced), to prove it with its pidfd (KILL, for
    // signal 0 to another user's process), to act as its user (SETUID, SETGID) and to make a user's subfolder in a
    // shared folder (CHOWN, FOWNER). Not SYS_RESOURCE (the root reserve), SYS_MODULE, SYS_RAWIO, NET_*, MKNOD, ...
    private const ulong WorkerCapabilities = (1ul << 0) | (1ul << 1) | (1ul << 2) | (1ul << 3) | (1ul << 5) | (1ul << 6) | (1ul << 7)
        | (1ul << 19) | (1ul << 21);

    private readonly CrashQueue _queue = new(WaitingPerUser, WaitingInAll);
    private readonly CorePatternRegistration _registration = new();
    private readonly string _settingsPath;
    private volatile int _share = 4;
    private volatile bool _stopping;
    private string? _pipePattern;
    private Socket? _listener;

    public CoredumpService(string settingsPath = SettingsFile.DefaultPath) => _settingsPath = settingsPath;

    /// <summary>True if this kernel offers the coredump socket with its request protocol.</summary>
    public static bool KernelHasSocket() =>
        CrashedProcess.KernelVersion() >= SocketKernel && File.Exists("/proc/sys/kernel/core_modes")
        && File.ReadAllText("/proc/sys/kernel/core_modes").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Contains("socket");

    /// <summary>Serves until SIGTERM or SIGINT; returns the exit code. Messages before it serves go to standard error.</summary>
    public int Run()
    {
        if (!KernelHasSocket())
            return Refuse($"this kernel ({CrashedProcess.KernelVersion()}) has no coredump socket with its request protocol (Linux {SocketKernel}); the pipe handler collects crashes");
        if (LibC.GetEUid() != 0)
            return Refuse("the coredump service runs as root");
        // Never dump the service itself, nor let it gain privileges it does not hold.
        LibC.Prctl(LibC.PR_SET_DUMPABLE, 0, 0, 0, 0);
        LibC.Prctl(LibC.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        LibC.SetSid();
        RootFiles.RootFolder("/run/openwer").Dispose();
        using var folder = RootFiles.RootFolder(Folder);
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var instance = RootFiles.Open(LockFile, RootFiles.O_RDWR | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC);
        if (!RootFiles.TryLock(instance, LockFile))
            return Refuse($"the coredump service is already running (pid {ReadPid()})");
        File.Delete(SocketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // The kernel connects without waiting: a full backlog would drop a crash.
        _listener.Listen(4096);
        File.WriteAllText(PidFile, $"{Environment.ProcessId}\n");

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            // Hand crashes back to the pipe handler before this process dies: none are sent to a socket no one serves.
            HandOver();
            HandlerLog.Warning($"coredump service: failed, crashes go to the pipe handler again: {LogText.Escape((e.ExceptionObject as Exception)?.Message)}");
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var workers = Enumerable.Range(0, Workers).Select(i => new Thread(Work) { IsBackground = true, Name = $"coredump worker {i}" }).ToList();
        foreach (var w in workers)
            w.Start();

        _pipePattern = _registration.UseSocket(Pattern);
        if (_pipePattern is null)
        {
            return Refuse($"core_pattern is not OpenWer's pipe handler ({_registration.CurrentPattern}): run `wer localdumps enable` first");
        }
        DetachStandardStreams();
        HandlerLog.Info($"coredump service: pid {Environment.ProcessId} serves {Pattern} (instead of {LogText.Escape(_pipePattern)})");
        AcceptUntilStopped();
        _queue.Close();
        // What is still at work or waiting is finished (it has its own time limits), within one bound for them all.
        long until = Environment.TickCount64 + 60_000;
        foreach (var w in workers)
            w.Join(TimeSpan.FromMilliseconds(Math.Max(0, until - Environment.TickCount64)));
        File.Delete(SocketPath);
        File.Delete(PidFile);
        HandlerLog.Info($"coredump service: pid {Environment.ProcessId} stopped; crashes go to the pipe handler");
        return 0;
    }

    /// <summary>Once it serves, the service holds none of its starter's descriptors: stdin is /dev/null, stdout and stderr the log.</summary>
    private static void DetachStandardStreams()
    {
        using var none = RootFiles.Open("/dev/null", RootFiles.O_RDWR | RootFiles.O_CLOEXEC);
        LibC.Dup2(none, 0);
        try
        {
            using var log = RootFiles.Open(HandlerLog.FilePath, RootFiles.O_WRONLY | RootFiles.O_APPEND | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC);
            LibC.Dup2(log, 1);
            LibC.Dup2(log, 2);
        }
        catch (IOException)
        {
            LibC.Dup2(none, 1);
            LibC.Dup2(none, 2);
        }
    }

    private static int Refuse(string why)
    {
        Console.Error.WriteLine($"wer localdumps serve: {why}");
        return 1;
    }

    public static int? ReadPid() =>
        File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out int pid) ? pid : null;

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        if (_stopping)
            return;
        _stopping = true;
        // First the pattern: from here on the kernel runs the pipe handler; then the crashes already connected.
        HandOver();
    }

    private void HandOver()
    {
        try
        {
            if (_pipePattern is not null)
                _registration.UsePipe(Pattern, _pipePattern);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            HandlerLog.Warning($"coredump service: could not give core_pattern back to the pipe handler: {e.Message}");
        }
    }

    private void AcceptUntilStopped()
    {
        // Polled, not blocked in accept: once stopping (core_pattern already handed back), what is still waiting to be
        // accepted is taken, and then the loop ends.
        while (_listener!.Poll(200_000, SelectMode.SelectRead) || !_stopping)
        {
            if (!_listener.Poll(0, SelectMode.SelectRead))
                continue;
            try
            {
                Take(_listener.Accept());
            }
            catch (SocketException e)
            {
                HandlerLog.Warning($"coredump service: accept: {e.Message}");
                Thread.Sleep(10);
            }
        }
        _listener.Dispose();
    }

    private void Take(Socket client)
    {
        CoredumpConnection connection;
        try
        {
            connection = CoredumpConnection.From(client);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            HandlerLog.Warning($"coredump service: connection refused: {e.Message}");
            client.Dispose();
            return;
        }
        uint uid = connection.Process.RealUid;
        if (!_queue.TryAdd(uid, () => Serve(connection), out string? why))
        {
            HandlerLog.Warning($"pid {connection.Process.Pid} (uid {uid}): no dump: {why}");
            try
            {
                connection.Answer(CoredumpProtocol.Reject);
            }
            catch (IOException)
            {
            }
            connection.Dispose();
        }
    }

    private void Work()
    {
        // This thread and the collections it starts hold only what a collection needs.
        ThreadCapabilities.Set(WorkerCapabilities, WorkerCapabilities, 0);
        while (_queue.Take(_ => _share) is { } job)
            job.Work();
    }

    private void Serve(CoredumpConnection connection)
    {
        uint uid = connection.Process.RealUid;
        var a = connection.Arguments();
        bool overtime = false;
        try
        {
            overtime = Collect(connection, a, uid);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            HandlerLog.Warning($"{CrashCollection.Describe(a)}: no dump: {LogText.Escape(e.Message)}");
        }
        finally
        {
            if (!overtime)
            {
                connection.Dispose();
                _queue.Ended(uid);
            }
        }
    }

    /// <summary>Collects one crash; true if its collection outlived the time limit and was left to end on its own.</summary>
    private bool Collect(CoredumpConnection connection, CrashHandlerArguments a, uint uid)
    {
        var file = SettingsStore.Load(_settingsPath, out string? refused);
        HandlerLog.MaxBytes = file.LogMaxBytes;
        _share = file.MaxHandlersPerUser;
        long deadline = connection.AcceptedAt + file.HandlerTimeLimit * 1000L;
        if (Environment.TickCount64 >= deadline)
        {
            HandlerLog.Warning($"{CrashCollection.Describe(a)}: no dump: the handler's time limit ({file.HandlerTimeLimit} s, [OpenWer] HandlerTimeLimit) ran out while waiting for one of uid {uid}'s {file.MaxHandlersPerUser} handler slots");
            connection.Answer(CoredumpProtocol.Reject);
            return false;
        }
        connection.Answer(CoredumpProtocol.Kernel | CoredumpProtocol.Wait);
        var collection = CrashCollection.Start(a, connection.PidFd, connection.Core, file, refused, deadline, inService: true);
        if (collection.Wait())
            return false;
        // Past its time limit the kernel is let go now, but the pidfd (its descriptor number) stays the collection's
        // until it ends, and so does the user's share.
        connection.LetKernelGo();
        new Thread(() =>
        {
            collection.Join();
            connection.Dispose();
            _queue.Ended(uid);
        })
        { IsBackground = true, Name = "coredump overtime" }.Start();
        return true;
    }
}
