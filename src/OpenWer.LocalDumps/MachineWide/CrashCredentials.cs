using System.Globalization;
using OpenWer.Capture.Live;
using OpenWer.Capture.Proc;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Whether a crashed process ran with exactly its user's rights, so that its dump may go to that user. A set-id
/// program (su run by a user: real uid the user, effective uid root) or one that gained capabilities at exec holds
/// what its user must not read; the kernel itself writes such cores with the process's own credentials. As
/// systemd-coredump does: real, effective, saved and file-system ids all equal, no AT_SECURE exec, no capabilities
/// for a non-root user, and the kernel's dump mode (%d) 1.
/// </summary>
public static class CrashCredentials
{
    private const ulong AT_SECURE = 23;

    /// <summary>Null when the dump may go to the user, otherwise why not.</summary>
    /// <param name="auxvWordSize">4 for a 32-bit process's auxv (Elf32_auxv_t), 8 otherwise.</param>
    public static string? WhyProtected(string status, byte[] auxv, int dumpMode, uint uid, uint gid, int auxvWordSize = 8)
    {
        if (dumpMode != 1)
            return $"the kernel dumps it in mode {dumpMode} (fs.suid_dumpable = {dumpMode}): a set-id or otherwise protected process";
        if (Ids(status, "Uid") is not { } uids || uids.Any(u => u != uid))
            return $"its user ids (real, effective, saved, file-system: {ProcFiles.StatusValue(status, "Uid") ?? "unknown"}) are not all {uid}: a set-id process";
        if (Ids(status, "Gid") is not { } gids || gids.Any(g => g != gid))
            return $"its group ids ({ProcFiles.StatusValue(status, "Gid") ?? "unknown"}) are not all {gid}: a set-id process";
        if (ModuleScanner.ParseAuxv(auxv, auxvWordSize).GetValueOrDefault(AT_SECURE) != 0)
            return "it was started in secure-execution mode (AT_SECURE: set-id or file capabilities)";
        if (uid != 0 && (Mask(status, "CapEff") != 0 || Mask(status, "CapPrm") != 0))
            return $"it holds capabilities its user does not (CapPrm {ProcFiles.StatusValue(status, "CapPrm")})";
        return null;
    }

    private static uint[]? Ids(string status, string key)
    {
        var fields = ProcFiles.StatusValue(status, key)?.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is not { Length: 4 })
            return null;
        var ids = new uint[4];
        for (int i = 0; i < 4; i++)
            if (!uint.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
                return null;
        return ids;
    }

    private static ulong Mask(string status, string key) =>
        ulong.TryParse(ProcFiles.StatusValue(status, key), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong v) ? v : ulong.MaxValue;
}
