using System.Runtime.InteropServices;
using OpenWer.Snapshot;
using OpenWer.Capture.Supervision;
using OpenWer.Dumps;
using OpenWer.Format;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.Supervision;

/// <summary>
/// Per-user collection: runs one program under supervision and, if it crashes, writes the LocalDumps dump with
/// the faulting context before it terminates; then ends the same way it did (same signal, same status).
/// </summary>
public static partial class SupervisedRun
{
    public static ProcessOutcome Run(string program, IReadOnlyList<string> arguments, RunOptions options, TextWriter log)
    {
        int supervised = 0;
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true); // the terminal sends it to the program too
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Forward(supervised, 15); });
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Forward(supervised, 1); });
        bool avx = options.Flags is { } f && (f & MinidumpType.WithAvxXStateContext) != 0;
        return SupervisedProcess.Run(program, arguments, avx, snapshot => Collect(snapshot, options, log), pid => supervised = pid);
    }

    private static void Collect(ProcessSnapshot snapshot, RunOptions options, TextWriter log)
    {
        string exe = Path.GetFileName(snapshot.ExecutablePath);
        var e = snapshot.Exception!;
        string what = $"{exe} (pid {snapshot.ProcessId}) took signal {e.Code} in thread {e.ThreadId}";
        try
        {
            var file = SettingsStore.Load(options.SettingsPath, out string? refused);
            if (refused is not null)
                log.WriteLine($"wer: settings ignored: {refused}");
            var settings = LocalDumpsSettings.Resolve(file, exe, CrashingUser.Current());
            foreach (var problem in settings.Problems)
                log.WriteLine($"wer: settings: {problem}");
            var flags = options.Flags ?? settings.Flags;
            if (options.Folder is not null)
                settings = settings with { DumpFolder = new EffectiveSetting<string>(Path.GetFullPath(options.Folder), options.Folder, "--folder", null) };
            var plan = DumpPlan.For(snapshot, new DumpPolicy(flags, options.OnlyCrashingThread ? e.ThreadId : null));
            var result = DumpFolderCollector.Collect(settings, exe, snapshot.ProcessId, stream => plan.WriteTo(stream));
            log.WriteLine(result.DumpPath is not null
                ? $"wer: {what}; dump written to {result.DumpPath}{(result.Removed.Count > 0 ? $" ({result.Removed.Count} old dump(s) removed, DumpCount {settings.DumpCount.Value})" : "")}"
                : $"wer: {what}; no dump: {result.Skipped}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            // The program still ends as it would have; say why there is no dump.
            log.WriteLine($"wer: {what}; the dump could not be written: {ex.Message}");
        }
    }

    private static void Forward(int pid, int signal)
    {
        // The program may have ended meanwhile (ESRCH): then there is nothing to pass the signal on to.
        if (pid > 0)
            _ = LibC.Kill(pid, signal);
    }

    /// <summary>Ends this process with the signal the program died of, so the shell sees the same status; no core of our own.</summary>
    public static void EndLike(ProcessOutcome outcome)
    {
        if (outcome.Signal is not int signal)
            return;
        var noCore = new LibC.RLimit { Current = 0, Maximum = 0 };
        // Should the limit not be lowered, the kernel writes a core of wer itself: a nuisance, not a reason to end otherwise.
        _ = LibC.SetRLimit(LibC.RLIMIT_CORE, ref noCore);
        if (LibC.Signal(signal, 0) != -1) // SIG_DFL
            _ = LibC.Raise(signal);
        // Still here (the disposition could not be reset, or the signal is blocked): the shell's convention for it.
        Environment.Exit(128 + signal);
    }
}
