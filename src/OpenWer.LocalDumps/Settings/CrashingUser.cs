using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// Whose crash it is: the folder is expanded for this user. <see cref="DataHome"/> is $XDG_DATA_HOME when it
/// may be trusted (a supervised run of the user's own program); the crash handler, running as root, never takes
/// it from the crashing process's environment and uses ~/.local/share.
/// </summary>
public sealed partial record CrashingUser(uint Uid, uint Gid, string Name, string Home, string? DataHome = null)
{
    public static CrashingUser Current()
    {
        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } d && d.StartsWith('/') ? d : null;
        return new CrashingUser(LibC.GetUid(), LibC.GetGid(), Environment.UserName, home, data);
    }
}
