using System.Text;

namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// Expands a DumpFolder value (a REG_EXPAND_SZ) for a user: %LOCALAPPDATA% is the user's XDG data home
/// (~/.local/share), %APPDATA% ~/.config, %USERPROFILE% and %HOME% the home folder, %USERNAME% the name,
/// %TEMP% and %TMP% /tmp, %PROGRAMDATA% /var/lib. Backslashes become slashes. Any other variable, or a
/// result that is not an absolute Linux path (C:\dumps), is an error: the value is then not used.
/// </summary>
public static class DumpFolderExpander
{
    public static bool TryExpand(string value, CrashingUser user, out string folder, out string? problem)
    {
        folder = "";
        problem = null;
        var text = new StringBuilder();
        int i = 0;
        while (i < value.Length)
        {
            if (value[i] == '%')
            {
                int end = value.IndexOf('%', i + 1);
                if (end < 0)
                {
                    problem = $"unmatched % in \"{value}\"";
                    return false;
                }
                string name = value[(i + 1)..end];
                string? expanded = name.ToUpperInvariant() switch
                {
                    "LOCALAPPDATA" => user.DataHome ?? Path.Combine(user.Home, ".local/share"),
                    "APPDATA" => Path.Combine(user.Home, ".config"),
                    "USERPROFILE" or "HOME" => user.Home,
                    "USERNAME" => user.Name,
                    "TEMP" or "TMP" => "/tmp",
                    "PROGRAMDATA" => "/var/lib",
                    _ => null,
                };
                if (expanded is null)
                {
                    problem = $"%{name}% is not a variable DumpFolder may use (LOCALAPPDATA, APPDATA, USERPROFILE, HOME, USERNAME, TEMP, TMP, PROGRAMDATA)";
                    return false;
                }
                text.Append(expanded);
                i = end + 1;
            }
            else
            {
                text.Append(value[i] == '\\' ? '/' : value[i]);
                i++;
            }
        }
        string result = text.ToString();
        if (result.Length == 0 || result[0] != '/')
        {
            problem = $"\"{value}\" is not an absolute Linux path (a Windows path such as C:\\dumps has no meaning here)";
            return false;
        }
        if (result.Split('/').Contains(".."))
        {
            problem = $"\"{value}\" climbs with \"..\"";
            return false;
        }
        folder = Path.TrimEndingDirectorySeparator(result.Replace("//", "/", StringComparison.Ordinal));
        if (folder.Length == 0) folder = "/";
        return true;
    }
}
