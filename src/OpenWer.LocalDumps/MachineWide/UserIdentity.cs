using System.Runtime.InteropServices;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The crashing user, from the password database (never from the crashing process's environment), and acting
/// with that user's rights on the calling thread: the user's supplementary groups, fsgid and fsuid, and no
/// effective capability (so neither the root reserve, quotas nor any other privilege apply to what it writes).
/// All of these are per-thread in Linux; threads the calling thread starts inherit them. The process stays root
/// (its permitted capabilities and real/effective ids are kept), so <see cref="BecomeRoot"/> can undo it.
/// </summary>
public static partial class UserIdentity
{
    private const int MaxGroups = 65536;

    public static CrashingUser? Lookup(uint uid, uint gid)
    {
        var buffer = new byte[16384];
        int rc = LibC.GetPwUidR(uid, out LibC.Passwd pw, buffer, (nuint)buffer.Length, out nint result);
        if (rc != 0 || result == 0)
            return null;
        string name = Marshal.PtrToStringUTF8(pw.Name) ?? uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string home = Marshal.PtrToStringUTF8(pw.Dir) ?? "/";
        return new CrashingUser(uid, gid, name, home);
    }

    /// <summary>Root working for <paramref name="user"/> in the dump folder: the rights are switched on the calling thread.</summary>
    public static FolderIdentity ActingFor(CrashingUser user) =>
        FolderIdentity.ActingFor(user.Uid, user.Gid, user.Name, () => Become(user), BecomeRoot);

    /// <summary>Takes on the user's rights for this thread, and checks that it has them before anything is written.</summary>
    public static void Become(CrashingUser user)
    {
        var groups = GroupsOf(user);
        if (SetGroupsThisThread(groups) != 0)
            throw new UnauthorizedAccessException($"could not take the groups of {user.Name}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        // Checked below, once both are set (they return the previous value, not an error).
        LibC.SetFsGid(user.Gid);
        LibC.SetFsUid(user.Uid);
        ThreadCapabilities.DropEffective();
        // setfsuid/setfsgid return the previous value and fail silently: ask again (-1 changes nothing).
        if (LibC.SetFsUid(uint.MaxValue) != user.Uid || LibC.SetFsGid(uint.MaxValue) != user.Gid)
            throw new UnauthorizedAccessException($"could not take the file-system identity of uid {user.Uid}");
        if (!CurrentGroups().Order().SequenceEqual(groups.Order()))
            throw new UnauthorizedAccessException($"the groups of {user.Name} did not take effect");
    }

    /// <summary>Root's rights again on this thread: capabilities first (setgroups needs CAP_SETGID), then groups and ids.</summary>
    public static void BecomeRoot()
    {
        ThreadCapabilities.RestoreEffective();
        if (SetGroupsThisThread([]) != 0)
            throw new UnauthorizedAccessException($"could not drop the user's groups again: {LibC.Error()}");
        LibC.SetFsGid(0);
        LibC.SetFsUid(0);
        if (LibC.SetFsUid(uint.MaxValue) != 0 || LibC.SetFsGid(uint.MaxValue) != 0)
            throw new UnauthorizedAccessException("could not take root's file-system identity again");
    }

    /// <summary>The user's groups as initgroups would set them (primary group included).</summary>
    private static uint[] GroupsOf(CrashingUser user)
    {
        var groups = new uint[64];
        int count = groups.Length;
        while (LibC.GetGroupList(user.Name, user.Gid, groups, ref count) < 0)
        {
            if (count <= groups.Length || count > MaxGroups)
                return [user.Gid];
            groups = new uint[count];
        }
        return groups[..count];
    }

    private static uint[] CurrentGroups()
    {
        var groups = new uint[MaxGroups];
        int n = LibC.GetGroups(groups.Length, groups);
        return n < 0 ? [] : groups[..n];
    }

    /// <summary>
    /// The setgroups system call itself: glibc's setgroups (and initgroups) apply the groups to every thread of the
    /// process, the raw call only to the calling one.
    /// </summary>
    private static int SetGroupsThisThread(uint[] groups) =>
        (int)LibC.Syscall(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 159 : 116, (nint)groups.Length, groups);

}
