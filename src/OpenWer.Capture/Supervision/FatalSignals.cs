using System.Globalization;
using OpenWer.Capture.Proc;

namespace OpenWer.Capture.Supervision;

/// <summary>
/// Which signals end a process with a core dump by default (signal(7): "Core"), and whether one is about to:
/// the process neither catches nor ignores it. A signal the program handles (the .NET runtime turns SIGSEGV into
/// NullReferenceException) is not a crash; when the handler re-raises with the default action, it is.
/// </summary>
public static class FatalSignals
{
    public static readonly int[] CoreDumping = [3, 4, 5, 6, 7, 8, 11, 24, 25, 31]; // QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS

    public static bool IsCrash(int pid, int signal)
    {
        if (!CoreDumping.Contains(signal))
            return false;
        string status = ProcFiles.ReadText($"/proc/{pid}/status");
        ulong bit = 1UL << (signal - 1);
        return (Mask(status, "SigCgt") & bit) == 0 && (Mask(status, "SigIgn") & bit) == 0;
    }

    private static ulong Mask(string status, string key) =>
        ProcFiles.StatusValue(status, key) is { } hex && ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong v) ? v : 0;
}
