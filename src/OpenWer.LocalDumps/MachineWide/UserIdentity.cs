using System.Runtime.InteropServices;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The crashing user, from the password database (never from the crashing process's environment), and acting
/// with that user's file-system rights: supplementary groups, then fsgid and fsuid. Files are then created,
/// renamed and removed as the user, so the handler cannot write where the user could not.
/// </summary>
public static partial class UserIdentity
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint Name, Password;
        public uint Uid, Gid;
        public nint Gecos, Dir, Shell;
    }

    public static CrashingUser? Lookup(uint uid, uint gid)
    {
        var buffer = new byte[16384];
        int rc = GetPwUidR(uid, out Passwd pw, buffer, (nuint)buffer.Length, out nint result);
        if (rc != 0 || result == 0)
            return null;
        string name = Marshal.PtrToStringUTF8(pw.Name) ?? uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string home = Marshal.PtrToStringUTF8(pw.Dir) ?? "/";
        return new CrashingUser(uid, gid, name, home);
    }

    /// <summary>Takes on the user's file-system identity for this thread's file operations (and the process's groups).</summary>
    public static void Become(CrashingUser user)
    {
        if (InitGroups(user.Name, user.Gid) != 0)
            SetGroups(0, 0);
        SetFsGid(user.Gid);
        SetFsUid(user.Uid);
        if (SetFsUid(uint.MaxValue) != user.Uid)
            throw new UnauthorizedAccessException($"could not take the file-system identity of uid {user.Uid}");
    }

    public static void BecomeRoot()
    {
        SetFsUid(0);
        SetFsGid(0);
        SetGroups(0, 0);
    }

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    private static partial int GetPwUidR(uint uid, out Passwd pwd, byte[] buffer, nuint size, out nint result);

    [LibraryImport("libc", EntryPoint = "initgroups", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int InitGroups(string user, uint gid);

    [LibraryImport("libc", EntryPoint = "setgroups")]
    private static partial int SetGroups(nuint size, nint list);

    [LibraryImport("libc", EntryPoint = "setfsuid")]
    private static partial uint SetFsUid(uint uid);

    [LibraryImport("libc", EntryPoint = "setfsgid")]
    private static partial uint SetFsGid(uint gid);
}
