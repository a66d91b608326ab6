namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// A test-only pause: while root's file /run/openwer/test-pause holds a line "POINT UID", a handler of that user's
/// crash waits at POINT (until the file is removed or its time limit) after marking itself in
/// /run/openwer/test-paused.POINT.ID (the handler's pid; the crashed pid in the coredump service, which handles
/// many). It makes races with the handler (a pid reused at the worst moment, slow handlers) deterministic in the tests. Only root can create the file; without it, this is one failed stat.
/// </summary>
public static class HandlerPausePoint
{
    public const string ControlFile = "/run/openwer/test-pause";

    public static bool Wait(string point, uint uid, long deadline, int? markerId = null)
    {
        var info = new FileInfo(ControlFile);
        if (!info.Exists || info.LinkTarget is not null || info.UnixFileMode.HasFlag(UnixFileMode.OtherWrite))
            return false;
        if (!File.ReadAllLines(ControlFile).Any(l => l.Trim() == $"{point} {uid}"))
            return false;
        string marker = $"/run/openwer/test-paused.{point}.{markerId ?? Environment.ProcessId}";
        File.WriteAllText(marker, "");
        try
        {
            while (File.Exists(ControlFile) && Environment.TickCount64 < deadline)
                Thread.Sleep(10);
        }
        finally
        {
            File.Delete(marker);
        }
        return true;
    }
}
