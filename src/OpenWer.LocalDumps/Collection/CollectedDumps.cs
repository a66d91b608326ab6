using OpenWer.LocalDumps.MachineWide;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Collection;

/// <summary>A dump file the policy wrote (or could have): where it is and whose it is.</summary>
public sealed record CollectedDump(string Path, uint OwnerUid);

/// <summary>
/// The dumps collected on this machine, for `wer localdumps list`: those in the folders the settings send a user's
/// dumps to (the global DumpFolder and every application's, expanded for the user, with a shared folder's per-user
/// subfolder), for the calling user, or for every user in the password database as root, who also gets every dump the
/// handler's log says it wrote that is still there (the settings may have changed since).
/// </summary>
public static class CollectedDumps
{
    public static IReadOnlyList<CollectedDump> Find(SettingsFile file, CrashingUser caller, bool everyUser)
    {
        var users = everyUser ? [.. PasswordUsers(), caller] : new List<CrashingUser> { caller };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<CollectedDump>();
        foreach (var folder in users.SelectMany(u => FoldersFor(file, u)).Distinct(StringComparer.Ordinal))
        {
            foreach (var path in DumpsIn(folder))
                Add(path);
        }
        if (everyUser)
        {
            foreach (var path in WrittenByTheHandler())
                Add(path);
        }
        return found;

        void Add(string path)
        {
            if (!seen.Add(path))
                return;
            try
            {
                // A user's own dumps only: a folder the settings share between users holds others' too.
                uint owner = FileOwner.Of(path);
                if (everyUser || owner == caller.Uid)
                    found.Add(new CollectedDump(path, owner));
            }
            catch (IOException)
            {
                // Gone since it was listed (rotation).
            }
        }
    }

    /// <summary>The folders the settings send <paramref name="user"/>'s dumps to, as `wer run` and the crash handler expand them.</summary>
    public static IEnumerable<string> FoldersFor(SettingsFile file, CrashingUser user)
    {
        // The crash handler never takes $XDG_DATA_HOME from the crashing process; `wer run` does from the user's own.
        var views = user.DataHome is null ? [user] : new[] { user, user with { DataHome = null } };
        foreach (var view in views)
        {
            foreach (var application in new string?[] { null }.Concat(file.Applications.Select(a => a.Application)))
            {
                string folder = LocalDumpsSettings.Resolve(file, application, view).DumpFolder.Value;
                yield return folder;
                // A shared (root-owned) folder holds each user's dumps in a subfolder named after the user.
                yield return Path.Combine(folder, user.Name);
            }
        }
    }

    private static IEnumerable<string> DumpsIn(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.dmp") : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Every user in /etc/passwd with a home folder (uid, gid, name, home).</summary>
    private static IEnumerable<CrashingUser> PasswordUsers()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/etc/passwd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var line in lines)
        {
            var f = line.Split(':');
            if (f.Length >= 7 && uint.TryParse(f[2], out uint uid) && uint.TryParse(f[3], out uint gid) && f[5].StartsWith('/'))
                yield return new CrashingUser(uid, gid, f[0], f[5]);
        }
    }

    /// <summary>The files the handler's log (root's) says it wrote, where the path was printed without escapes.</summary>
    private static IEnumerable<string> WrittenByTheHandler()
    {
        const string marker = ": dump written to ", end = " (flags ";
        foreach (var log in new[] { HandlerLog.RotatedPath, HandlerLog.FilePath })
        {
            IEnumerable<string> lines;
            try
            {
                lines = File.Exists(log) ? File.ReadLines(log) : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var line in lines)
            {
                int at = line.IndexOf(marker, StringComparison.Ordinal);
                int stop = at < 0 ? -1 : line.IndexOf(end, at, StringComparison.Ordinal);
                if (stop < 0)
                    continue;
                string path = line[(at + marker.Length)..stop];
                if (!path.Contains('\\') && File.Exists(path))
                    yield return path;
            }
        }
    }
}
