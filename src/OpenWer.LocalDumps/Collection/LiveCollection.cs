using OpenWer.Capture;
using OpenWer.Dumps;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// A LocalDumps dump of a live process, now (`wer localdumps collect`): the in-process crash reporting of a .NET
/// application asks for it first when its process is about to die of an unhandled exception.
/// </summary>
public static class LiveCollection
{
    public static CollectionResult Collect(int pid, int? thread, string settingsPath)
    {
        if (!Directory.Exists($"/proc/{pid}"))
            throw new ProcessNotFoundException(pid);
        string exe = Capture.Proc.ProcFiles.ExecutableName(pid) ?? "process";
        var file = SettingsStore.Load(settingsPath, out _);
        var settings = LocalDumpsSettings.Resolve(file, exe, CrashingUser.Current());
        var request = new DumpRequest(pid, settings.Flags, thread, false, "");
        return DumpFolderCollector.Collect(settings, exe, pid, stream => LiveDumper.Write(request, stream));
    }
}
