using System.Runtime.InteropServices;
using OpenWer.Capture.Snapshot;
using OpenWer.Capture.Supervision;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

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
            var selection = DumpSelector.Select(snapshot, flags, options.OnlyCrashingThread ? e.ThreadId : null);
            var result = DumpFolderCollector.Collect(settings, exe, snapshot.ProcessId,
                stream => MinidumpComposer.Write(snapshot, selection, stream, DateTimeOffset.UtcNow));
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
        if (pid > 0)
            Native.Kill(pid, signal);
    }

    /// <summary>Ends this process with the signal the program died of, so the shell sees the same status; no core of our own.</summary>
    public static void EndLike(ProcessOutcome outcome)
    {
        if (outcome.Signal is not int signal)
            return;
        var noCore = new Native.RLimit { Current = 0, Maximum = 0 };
        Native.SetRLimit(Native.RLIMIT_CORE, ref noCore);
        Native.Signal(signal, 0); // SIG_DFL
        Native.Raise(signal);
    }

    private static partial class Native
    {
        public const int RLIMIT_CORE = 4;

        [StructLayout(LayoutKind.Sequential)]
        public struct RLimit
        {
            public ulong Current;
            public ulong Maximum;
        }

        [LibraryImport("libc", EntryPoint = "kill")]
        public static partial int Kill(int pid, int signal);

        [LibraryImport("libc", EntryPoint = "setrlimit")]
        public static partial int SetRLimit(int resource, ref RLimit limit);

        [LibraryImport("libc", EntryPoint = "signal")]
        public static partial nint Signal(int signal, nint handler);

        [LibraryImport("libc", EntryPoint = "raise")]
        public static partial int Raise(int signal);
    }
}
