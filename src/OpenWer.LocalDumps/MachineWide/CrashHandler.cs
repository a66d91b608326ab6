using OpenWer.Capture.Core;
using OpenWer.Capture.Live;
using OpenWer.Capture.Proc;
using OpenWer.Dumps;
using OpenWer.Format;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The core_pattern pipe handler: the kernel runs it as root for every crash on the machine, the core on stdin.
/// Everything the crashed process chose is hostile input (DESIGN.md, "The crash handler's threat model"): its
/// arguments are taken by position from the raw command line; the process is proven with the kernel's pidfd and
/// read only through its own /proc directory; a set-id process is not dumped into its user's folder; one user's
/// crashes take at most a few of the kernel's handler slots, and each handler a bounded time and memory. The
/// handler registered before ours, if a pipe, gets the whole core as it is read. Every outcome is logged.
/// </summary>
public static class CrashHandler
{
    /// <summary>The handler's entry: the words after "localdumps handle" on its command line, the core on <paramref name="core"/>.</summary>
    public static int Run(Stream core, string settingsPath = SettingsFile.DefaultPath)
    {
        StandardStreams.Attach();
        if (Environment.GetEnvironmentVariable(PreviousHandler.StartedByUs) is not null)
        {
            HandlerLog.Warning("crash: no dump: this handler was started by an OpenWer handler passing a core on (the previous core_pattern runs OpenWer again); not repeating");
            return 0;
        }
        CrashHandlerArguments a;
        try
        {
            a = CrashHandlerArguments.Parse(OwnArguments());
        }
        catch (FormatException e)
        {
            HandlerLog.Warning($"crash: no dump: {e.Message}");
            return 0;
        }
        var file = SettingsStore.Load(settingsPath, out string? refused);
        HandlerLog.MaxBytes = file.LogMaxBytes;
        long deadline = Environment.TickCount64 + file.HandlerTimeLimit * 1000L;
        PreviousHandler? previous = null;
        try
        {
            previous = PreviousHandler.Start(new CorePatternRegistration().Previous?.Pattern, a, out string? skipped);
            if (skipped is not null)
                HandlerLog.Warning($"{Describe(a)}: {skipped}");
        }
        catch (IOException e)
        {
            HandlerLog.Warning($"{Describe(a)}: could not pass the core on to the previous handler: {e.Message}");
        }
        var input = previous?.Tee(core) ?? core;
        var stage = new Stage();
        var worker = new Thread(() => Collect(a, input, file, refused, deadline, stage)) { IsBackground = true, Name = "crash handler" };
        worker.Start();
        if (!worker.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64))))
        {
            bool publishing;
            lock (stage.Gate)
            {
                publishing = stage.Publishing;
                stage.TimedOut = !publishing;
            }
            // A dump already complete is being renamed into place: let that finish (and log) rather than lose it.
            if (!publishing || !worker.Join(TimeSpan.FromSeconds(10)))
                HandlerLog.Warning($"{Describe(a)}: no dump: the handler's time limit ({file.HandlerTimeLimit} s, [OpenWer] HandlerTimeLimit) ran out while {stage.Now}");
        }
        if (previous is not null)
        {
            try
            {
                // The rest of the core, unless the worker may still be reading its notes.
                if (!worker.IsAlive || stage.NotesRead)
                    previous.Finish(core, TimeSpan.FromSeconds(Math.Max(30, file.HandlerTimeLimit)));
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                HandlerLog.Warning($"{Describe(a)}: passing the core on to the previous handler ({previous.Pattern}): {e.Message}");
            }
            previous.Dispose();
        }
        return 0;
    }

    /// <summary>What the handler is doing, for the log when its time runs out; past the limit, no dump is put in place.</summary>
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

    private static string Describe(CrashHandlerArguments a) =>
        $"pid {a.Pid} ({LogText.Escape(a.Comm)}, uid {a.Uid}) signal {a.Signal}";

    private static void Collect(CrashHandlerArguments a, Stream core, SettingsFile file, string? refused, long deadline, Stage stage)
    {
        string what = Describe(a);
        try
        {
            stage.Now = "waiting for a handler slot";
            using var slot = HandlerSlots.TryTake(a.Uid, file.MaxHandlersPerUser, deadline, out string? turnedAway)
                ?? throw new CrashRefusedException(turnedAway!);
            HandlerPausePoint.Wait("started", a.Uid, deadline);
            stage.Now = "opening the crashed process";
            using var process = CrashedProcess.Open(a, point => HandlerPausePoint.Wait(point, a.Uid, deadline));
            var proc = process.Directory;
            string exe = ExecutableFileName.Printable(proc.Path) ?? LogText.Escape(a.Comm);
            string thread = LogText.Escape(a.Comm);
            what = $"pid {a.Pid} ({exe}, uid {a.Uid}) signal {a.Signal}{(thread != exe ? $" in thread {thread}" : "")}";
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
            // The main thread has logged the time limit.
        }
        catch (Exception e)
        {
            HandlerLog.Warning($"{what}: no dump: {LogText.Escape(e.Message)}");
        }
    }

    /// <summary>The handler's own arguments after "localdumps handle", as the kernel wrote them: raw bytes, by position.</summary>
    private static List<byte[]> OwnArguments()
    {
        var list = NativeStrings.OwnCommandLine();
        int at = list.FindIndex(w => w.AsSpan().SequenceEqual("handle"u8));
        return at > 0 && System.Text.Encoding.ASCII.GetString(list[at - 1]) == "localdumps" ? list[(at + 1)..] : [];
    }
}

/// <summary>A crash the policy says not to dump (a debugged process, DumpCount 0, a set-id process): logged as information.</summary>
public sealed class CrashSkippedException(string message) : Exception(message);
