using OpenWer.Capture.Core;
using OpenWer.Capture.Live;
using OpenWer.Capture.Proc;
using OpenWer.Dumps;
using OpenWer.Format;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// One crash, from the kernel's core stream and pidfd to a dump in the user's folder, on a thread of its own and
/// within the handler's time limit; both the pipe handler (one per process) and the coredump service (many at once)
/// run it. Everything the crashed process chose is hostile input: the process is proven with the pidfd and read only
/// through its own /proc directory; a set-id process is not dumped into its user's folder. Every outcome is logged.
/// </summary>
public sealed class CrashCollection
{
    private readonly Stage _stage = new();
    private readonly Thread _worker;
    private readonly CrashHandlerArguments _arguments;
    private readonly int _timeLimit;
    private readonly long _deadline;

    private CrashCollection(CrashHandlerArguments a, int pidFd, Stream core, SettingsFile file, string? refused, long deadline, bool inService)
    {
        _arguments = a;
        _timeLimit = file.HandlerTimeLimit;
        _deadline = deadline;
        _worker = new Thread(() => Collect(a, pidFd, core, file, refused, deadline, inService, _stage)) { IsBackground = true, Name = "crash collection" };
    }

    /// <summary>Starts collecting; <paramref name="deadline"/> is in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    /// <param name="inService">
    /// Collected by the coredump service, one of many in its process: it keeps each user to their share itself (no
    /// handler slot is taken), and the test pause marker names the crashed pid, not the handler's.
    /// </param>
    public static CrashCollection Start(CrashHandlerArguments a, int pidFd, Stream core, SettingsFile file, string? refused, long deadline, bool inService = false)
    {
        var collection = new CrashCollection(a, pidFd, core, file, refused, deadline, inService);
        collection._worker.Start();
        return collection;
    }

    /// <summary>True once the core's notes are read: the rest of the core stream is no longer this collection's.</summary>
    public bool NotesRead => _stage.NotesRead;

    public bool IsRunning => _worker.IsAlive;

    /// <summary>Waits for the collection's end, however long it takes (after <see cref="Wait"/> gave up on it).</summary>
    public void Join() => _worker.Join();

    /// <summary>
    /// Waits for the collection to end, at most until the deadline. Past it, no dump is put in place (a dump already
    /// being renamed into place is let finish) and the log says what the collection was doing. True if it ended.
    /// </summary>
    public bool Wait()
    {
        if (_worker.Join(TimeSpan.FromMilliseconds(Math.Max(0, _deadline - Environment.TickCount64))))
            return true;
        bool publishing;
        lock (_stage.Gate)
        {
            publishing = _stage.Publishing;
            _stage.TimedOut = !publishing;
        }
        // A dump already complete is being renamed into place: let that finish (and log) rather than lose it.
        if (publishing && _worker.Join(TimeSpan.FromSeconds(10)))
            return true;
        HandlerLog.Warning($"{Describe(_arguments)}: no dump: the handler's time limit ({_timeLimit} s, [OpenWer] HandlerTimeLimit) ran out while {_stage.Now}");
        return false;
    }

    /// <summary>What the collection is doing, for the log when its time runs out; past the limit, no dump is put in place.</summary>
    private sealed class Stage
    {
        public readonly Lock Gate = new();
        public volatile string Now = "starting";
        public volatile bool NotesRead;
        public bool TimedOut;
        public bool Publishing;

        /// <summary>Called when the dump is complete, before it is renamed into place.</summary>
        public void Publish()
        {
            lock (Gate)
            {
                if (TimedOut)
                    throw new TimeoutException("the handler's time limit ran out");
                Publishing = true;
            }
        }
    }

    public static string Describe(CrashHandlerArguments a) =>
        $"pid {a.Pid} ({(a.Comm.Length > 0 ? LogText.Escape(a.Comm) : "?")}, uid {a.Uid}){(a.Signal > 0 ? $" signal {a.Signal}" : "")}";

    /// <summary>" in thread NAME" for the crashing thread (the notes' first), read through the proven directory, when not the executable's name.</summary>
    private static string CrashingThreadName(ProcDirectory proc, CoreNotes notes, string exe)
    {
        if (notes.Threads.FirstOrDefault() is not { } crashing)
            return "";
        try
        {
            byte[] comm = proc.ReadBytes($"task/{crashing.ThreadId}/comm", 64);
            string name = LogText.Escape(comm.AsSpan().TrimEnd((byte)'\n'));
            return name != exe ? $" in thread {name}" : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void Collect(CrashHandlerArguments a, int pidFd, Stream core, SettingsFile file, string? refused, long deadline, bool inService, Stage stage)
    {
        string what = Describe(a);
        bool Pause(string point) => HandlerPausePoint.Wait(point, a.Uid, deadline, inService ? a.Pid : null);
        try
        {
            stage.Now = "waiting for a handler slot";
            using var slot = inService
                ? null
                : HandlerSlots.TryTake(a.Uid, file.MaxHandlersPerUser, deadline, out string? turnedAway) ?? throw new CrashRefusedException(turnedAway!);
            Pause("started");
            stage.Now = "opening the crashed process";
            using var process = CrashedProcess.Open(a, pidFd, Pause);
            var proc = process.Directory;
            string exe = ExecutableFileName.Printable(proc.Path) ?? LogText.Escape(a.Comm);
            string thread = a.Comm.Length > 0 ? LogText.Escape(a.Comm) : exe;
            what = $"pid {a.Pid} ({exe}, uid {a.Uid}){(a.Signal > 0 ? $" signal {a.Signal}" : "")}{(thread != exe ? $" in thread {thread}" : "")}";
            string status = proc.ReadText("status");
            if (ProcFiles.StatusValue(status, "TracerPid") is { } tracer && tracer != "0")
                throw new CrashSkippedException($"it runs under a debugger (pid {tracer}), which handles its crash");
            if (refused is not null)
                HandlerLog.Warning($"settings ignored, defaults apply: {refused}");
            var user = UserIdentity.Lookup(a.Uid, a.Gid) ?? throw new CrashRefusedException($"uid {a.Uid} is not in the password database");
            var settings = LocalDumpsSettings.Resolve(file, exe, user);
            foreach (var problem in settings.Problems)
                HandlerLog.Warning($"settings: {problem}");
            var flags = settings.Flags;
            stage.Now = "reading the core's notes";
            var notes = CoreNotes.Read(core, keepXState: (flags & MinidumpType.WithAvxXStateContext) != 0);
            stage.NotesRead = true;
            if (a.Signal == 0)
                what += $" signal {notes.SignalInfo.Signal}{CrashingThreadName(proc, notes, exe)}";
            if (CrashCredentials.WhyProtected(status, notes.Auxv, a.DumpMode, a.Uid, a.Gid, notes.AuxvWordSize) is { } protectedBecause)
                throw new CrashSkippedException($"{protectedBecause}; its dump is not written into its user's folder");
            if (settings.DumpCount.Value == 0)
                throw new CrashSkippedException($"DumpCount is 0 ({settings.DumpCount.Source})");
            var limiter = new CrashRateLimiter(CrashRateLimiter.DefaultFolder, file.CrashRateLimit, TimeSpan.FromSeconds(file.CrashRateWindow));
            if (!limiter.TryTake(exe, DateTimeOffset.UtcNow, out int skipped))
                throw new CrashRefusedException($"more than {file.CrashRateLimit} crashes of {exe} within {file.CrashRateWindow} s ({skipped} skipped so far)");
            stage.Now = "reading the crashed process";
            using var crashed = CrashedProcessCapture.Open(proc, a.Tid, notes, new ProcessMemory(a.Pid, process.Memory),
                (flags & MinidumpType.WithAvxXStateContext) != 0);
            var plan = DumpPlan.For(crashed.Snapshot, new DumpPolicy(flags));
            stage.Now = "writing the dump";
            var result = UserDumpCollection.Collect(file, settings, user, exe, a.Pid, DumpSizeEstimate.Of(plan.Selection), s =>
            {
                plan.WriteTo(s);
                stage.Publish();
            });
            string peak = ProcFiles.StatusValue(ProcFiles.ReadText("/proc/self/status"), "VmHWM") ?? "?";
            HandlerLog.Info(result.DumpPath is not null
                ? $"{what}: dump written to {LogText.Escape(result.DumpPath)} (flags 0x{(uint)flags:x}, handler peak memory {peak}{(notes.ThreadsDropped > 0 ? $", registers of {notes.ThreadsDropped} threads beyond {CoreNotes.MaxThreads} not kept" : "")}{(result.Removed.Count > 0 ? $", {result.Removed.Count} old removed to keep {settings.DumpCount.Value}" : "")}{(skipped > 0 ? $", {skipped} crash(es) skipped by the rate limit before it" : "")})"
                : $"{what}: no dump: {result.Skipped}");
        }
        catch (CrashSkippedException e)
        {
            HandlerLog.Info($"{what}: no dump: {e.Message}");
        }
        catch (Exception) when (stage.TimedOut)
        {
            // Wait() has logged the time limit.
        }
        catch (Exception e)
        {
            HandlerLog.Warning($"{what}: no dump: {LogText.Escape(e.Message)}");
        }
    }
}

/// <summary>A crash the policy says not to dump (a debugged process, DumpCount 0, a set-id process): logged as information.</summary>
public sealed class CrashSkippedException(string message) : Exception(message);
