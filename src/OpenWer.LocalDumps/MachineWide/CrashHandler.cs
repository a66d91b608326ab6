using System.Diagnostics;
using OpenWer.Capture.Core;
using OpenWer.Capture.Live;
using OpenWer.Capture.Proc;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The core_pattern pipe handler: the kernel runs it as root for every crash on the machine, the core on stdin.
/// It checks that /proc/PID is still the process that crashed (the %F pidfd), reads the registers and signal
/// from the core's notes, the memory straight from the process, applies the LocalDumps settings and writes the
/// dump with the crashing user's file-system rights; then gives the core, intact, to the handler that was
/// registered before it, if it was a pipe. Every outcome is logged.
/// </summary>
public static class CrashHandler
{
    public static int Handle(IReadOnlyList<string> arguments, Stream core, string settingsPath)
    {
        var consumed = new MemoryStream();
        CrashHandlerArguments? a = null;
        try
        {
            a = CrashHandlerArguments.Parse(arguments);
            Collect(a, core, consumed, settingsPath);
        }
        catch (Exception e)
        {
            HandlerLog.Warning($"{Describe(a)}: no dump: {e.Message}");
        }
        finally
        {
            UserIdentity.BecomeRoot();
            if (a is not null)
                PassOn(a, consumed, core);
        }
        return 0;
    }

    private static string Describe(CrashHandlerArguments? a) =>
        a is null ? "crash" : $"pid {a.Pid} ({a.Comm}, uid {a.Uid}) signal {a.Signal}";

    private static void Collect(CrashHandlerArguments a, Stream core, MemoryStream consumed, string settingsPath)
    {
        string what = Describe(a);
        if (a.HasPidFd && !PidFdIs(a.Pid))
        {
            HandlerLog.Warning($"{what}: no dump: /proc/{a.Pid} is no longer the process that crashed");
            return;
        }
        var notes = CoreNotes.Read(core, consumed);
        string exe = ProcFiles.ExecutableName(a.Pid) ?? a.Comm;
        what = $"pid {a.Pid} ({exe}, uid {a.Uid}) signal {a.Signal}";
        string status = ProcFiles.ReadText($"/proc/{a.Pid}/status");
        if (ProcFiles.StatusValue(status, "TracerPid") is { } tracer && tracer != "0")
        {
            HandlerLog.Info($"{what}: no dump: it runs under a debugger (pid {tracer}), which handles its crash");
            return;
        }
        if (a.DumpMode == 2)
        {
            HandlerLog.Info($"{what}: no dump: a set-id or otherwise protected process (fs.suid_dumpable = 2) is not dumped into a user's folder");
            return;
        }
        var file = SettingsStore.Load(settingsPath, out string? refused);
        if (refused is not null)
            HandlerLog.Warning($"settings ignored, defaults apply: {refused}");
        var user = UserIdentity.Lookup(a.Uid, a.Gid) ?? throw new InvalidOperationException($"uid {a.Uid} is not in the password database");
        var settings = LocalDumpsSettings.Resolve(file, exe, user);
        foreach (var problem in settings.Problems)
            HandlerLog.Warning($"settings: {problem}");
        if (settings.DumpCount.Value == 0)
        {
            HandlerLog.Info($"{what}: no dump: DumpCount is 0 ({settings.DumpCount.Source})");
            return;
        }
        var limiter = new CrashRateLimiter(CrashRateLimiter.DefaultFolder, file.CrashRateLimit, TimeSpan.FromSeconds(file.CrashRateWindow));
        if (!limiter.TryTake(exe, DateTimeOffset.UtcNow, out int skipped))
        {
            HandlerLog.Warning($"{what}: no dump: more than {file.CrashRateLimit} crashes of {exe} within {file.CrashRateWindow} s ({skipped} skipped so far)");
            return;
        }
        var flags = settings.Flags;
        using var memory = new ProcessMemory(a.Pid, File.OpenHandle($"/proc/{a.Pid}/mem", FileMode.Open, FileAccess.Read));
        var snapshot = CrashedProcessCapture.Build(a.Pid, a.Tid, notes, memory, (flags & MinidumpType.WithAvxXStateContext) != 0);
        var selection = DumpSelector.Select(snapshot, flags);
        var result = UserDumpCollection.Collect(file, settings, user, exe, a.Pid, DumpSizeEstimate.Of(selection),
            s => MinidumpComposer.Write(snapshot, selection, s, DateTimeOffset.UtcNow));
        string peak = ProcFiles.StatusValue(ProcFiles.ReadText("/proc/self/status"), "VmHWM") ?? "?";
        HandlerLog.Info(result.DumpPath is not null
            ? $"{what}: dump written to {result.DumpPath} (flags 0x{(uint)flags:x}, handler peak memory {peak}{(result.Removed.Count > 0 ? $", {result.Removed.Count} old removed to keep {settings.DumpCount.Value}" : "")}{(skipped > 0 ? $", {skipped} crash(es) skipped by the rate limit before it" : "")})"
            : $"{what}: no dump: {result.Skipped}");
    }

    /// <summary>The pidfd the kernel gave us (fd 3, %F) names this pid: the process was not replaced by another with the same pid.</summary>
    private static bool PidFdIs(int pid)
    {
        string info = ProcFiles.ReadText("/proc/self/fdinfo/3");
        return ProcFiles.StatusValue(info, "Pid") == pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Gives the whole core to the pipe handler registered before us (systemd-coredump, apport), as the kernel would have.</summary>
    private static void PassOn(CrashHandlerArguments a, MemoryStream consumed, Stream core)
    {
        var previous = new CorePatternRegistration().Previous;
        if (previous is not { Pattern: var pattern } || !pattern.StartsWith('|'))
            return;
        try
        {
            var words = a.Expand(pattern[1..]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var psi = new ProcessStartInfo(words[0]) { RedirectStandardInput = true, UseShellExecute = false };
            foreach (var w in words.Skip(1))
                psi.ArgumentList.Add(w);
            using var next = Process.Start(psi)!;
            using (var input = next.StandardInput.BaseStream)
            {
                consumed.Position = 0;
                consumed.CopyTo(input);
                core.CopyTo(input);
            }
            next.WaitForExit();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            HandlerLog.Warning($"{Describe(a)}: could not pass the core on to the previous handler ({pattern}): {e.Message}");
        }
    }
}
