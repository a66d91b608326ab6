using System.Runtime.InteropServices;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// Who the folder work is done for. For the crash handler (root on behalf of a user) the calling thread acts as
/// that user for every folder operation and becomes root again only for the two things the user must not be able
/// to do or hold: creating the user's subfolder of a shared root-owned folder, and opening the root-owned lock.
/// For `wer run` and `wer localdumps collect` the process already is the user and nothing is switched.
/// </summary>
public sealed partial class FolderIdentity
{
    private readonly Action? _becomeUser, _becomeRoot;

    private FolderIdentity(uint uid, uint gid, string name, Action? becomeUser, Action? becomeRoot)
    {
        Uid = uid;
        Gid = gid;
        Name = name;
        _becomeUser = becomeUser;
        _becomeRoot = becomeRoot;
    }

    public uint Uid { get; }
    public uint Gid { get; }
    public string Name { get; }

    /// <summary>True when root works for another identity and switches between the two.</summary>
    public bool Switches => _becomeUser is not null;

    /// <summary>The process's own identity: nothing is switched.</summary>
    public static FolderIdentity Process() => new(LibC.GetEUid(), LibC.GetEGid(), Environment.UserName, null, null);

    /// <summary>Root acting for a user: <paramref name="becomeUser"/> takes on the user's rights on the calling thread, <paramref name="becomeRoot"/> gives them back.</summary>
    public static FolderIdentity ActingFor(uint uid, uint gid, string name, Action becomeUser, Action becomeRoot) =>
        new(uid, gid, name, becomeUser, becomeRoot);

    public void BecomeUser() => _becomeUser?.Invoke();

    public void BecomeRoot() => _becomeRoot?.Invoke();

    /// <summary>Runs <paramref name="action"/> as root, then acts as the user again.</summary>
    public T AsRoot<T>(Func<T> action)
    {
        BecomeRoot();
        try
        {
            return action();
        }
        finally
        {
            BecomeUser();
        }
    }

}
