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
                HandlerLog.Warning($"{CrashCollection.Describe(a)}: {skipped}");
        }
        catch (IOException e)
        {
            HandlerLog.Warning($"{CrashCollection.Describe(a)}: could not pass the core on to the previous handler: {e.Message}");
        }
        var input = previous?.Tee(core) ?? core;
        var collection = CrashCollection.Start(a, CrashHandlerArguments.PidFdNumber, input, file, refused, deadline);
        collection.Wait();
        if (previous is not null)
        {
            try
            {
                // The rest of the core, unless the worker may still be reading its notes.
                if (!collection.IsRunning || collection.NotesRead)
                    previous.Finish(core, TimeSpan.FromSeconds(Math.Max(30, file.HandlerTimeLimit)));
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                HandlerLog.Warning($"{CrashCollection.Describe(a)}: passing the core on to the previous handler ({previous.Pattern}): {e.Message}");
            }
            previous.Dispose();
        }
        return 0;
    }

    /// <summary>The handler's own arguments after "localdumps handle", as the kernel wrote them: raw bytes, by position.</summary>
    private static List<byte[]> OwnArguments()
    {
        var list = NativeStrings.OwnCommandLine();
        int at = list.FindIndex(w => w.AsSpan().SequenceEqual("handle"u8));
        return at > 0 && System.Text.Encoding.ASCII.GetString(list[at - 1]) == "localdumps" ? list[(at + 1)..] : [];
    }
}
