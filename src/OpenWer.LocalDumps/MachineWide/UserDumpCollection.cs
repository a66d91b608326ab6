using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The crash handler's one call to put a dump into the crashing user's folder: everything in the folder is done on
/// this thread with only that user's rights (groups, fsuid/fsgid, no effective capability), root's rights come back
/// afterwards whatever happened. What went wrong without costing the dump is logged as a warning here.
/// </summary>
public static class UserDumpCollection
{
    /// <param name="expectedDumpBytes">An upper estimate of the dump's size (<see cref="DumpSizeEstimate.Of"/>), for the free-space floor.</param>
    /// <param name="writeDump">Writes the dump on the calling thread (threads it starts inherit the user's rights).</param>
    public static CollectionResult Collect(SettingsFile file, LocalDumpsSettings settings, CrashingUser user, string executableName, int pid,
        long expectedDumpBytes, Action<Stream> writeDump)
    {
        var who = UserIdentity.ActingFor(user);
        var floor = FreeSpaceFloor.Megabytes(file.MinFreeSpaceMB, expectedDumpBytes);
        CollectionResult result;
        who.BecomeUser();
        try
        {
            result = DumpFolderCollector.Collect(settings, executableName, pid, who, floor, writeDump);
        }
        finally
        {
            who.BecomeRoot();
        }
        foreach (var warning in result.Warnings)
            HandlerLog.Warning($"pid {pid} ({executableName}, uid {user.Uid}): {warning}");
        return result;
    }
}
