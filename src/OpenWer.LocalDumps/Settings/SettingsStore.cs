using OpenWer.Dumps.Output;
namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// Reads and writes the machine-wide settings file. It is trusted only when owned by root and writable by no
/// one else (the HKLM key's access control); otherwise it is ignored, the defaults apply, and the reason is given.
/// Written under a temporary name and renamed, so a crash handler never reads half a file.
/// </summary>
public static class SettingsStore
{
    public static SettingsFile Load(string path, out string? refused)
    {
        refused = null;
        if (!File.Exists(path))
            return new SettingsFile();
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            refused = $"{path} is a symbolic link; the settings file must be a regular file owned by root";
            return new SettingsFile();
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            refused = $"{path} is writable by others than its owner; chmod go-w it";
            return new SettingsFile();
        }
        if (Owner(path) != 0)
        {
            refused = $"{path} is not owned by root; chown root it";
            return new SettingsFile();
        }
        return SettingsFile.Parse(File.ReadAllText(path));
    }

    public static void Save(string path, SettingsFile file)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, file.Serialize());
    }

    private static uint Owner(string path) => FileOwner.Of(path);
}
