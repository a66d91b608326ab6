using System.Text;

namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// The machine-wide settings file (the HKLM LocalDumps key's analogue), an INI file:
/// <code>
/// [LocalDumps]
/// DumpFolder=%LOCALAPPDATA%\CrashDumps
/// DumpCount=10
///
/// [LocalDumps\myapp.exe]
/// DumpType=2
/// </code>
/// Unknown names and lines are kept out of the values and reported as problems.
/// </summary>
public sealed class SettingsFile
{
    public const string DefaultPath = "/etc/openwer/localdumps.ini";
    private const string GlobalSection = "LocalDumps";

    public SettingsSection Global { get; } = new(null);
    public List<SettingsSection> Applications { get; } = [];
    public List<string> Problems { get; } = [];

    /// <summary>[OpenWer] CrashRateLimit: dumps of one executable per window (0: no limit; default 5).</summary>
    public int CrashRateLimit { get; set; } = 5;

    /// <summary>[OpenWer] CrashRateWindow: the window in seconds (default 60).</summary>
    public int CrashRateWindow { get; set; } = 60;

    /// <summary>[OpenWer] HandlerTimeLimit: seconds a machine-wide handler may take for one crash before it gives up (default 300).</summary>
    public int HandlerTimeLimit { get; set; } = 300;

    /// <summary>[OpenWer] MaxHandlersPerUser: crash handlers at work at once for one user (default 4 of the kernel's 16; 1..8).</summary>
    public int MaxHandlersPerUser { get; set; } = 4;

    /// <summary>[OpenWer] LogMaxBytes: the handler's log is rotated past this size (default 1 MiB, at least 1024).</summary>
    public int LogMaxBytes { get; set; } = DefaultLogMaxBytes;

    public const int DefaultLogMaxBytes = 1 << 20;

    /// <summary>
    /// [OpenWer] MinFreeSpaceMB: a dump that would leave less than this many MiB free for users on its folder's file
    /// system is not written (0: no floor; default 256, see Collection.FreeSpaceFloor).
    /// </summary>
    public int MinFreeSpaceMB { get; set; } = Collection.FreeSpaceFloor.DefaultMinFreeSpaceMB;

    /// <summary>The [OpenWer] values: name, allowed range, default, and where each goes.</summary>
    private static readonly (string Name, string Takes, long Min, long Max, int Default, Func<SettingsFile, int> Get, Action<SettingsFile, int> Set)[] OpenWerValues =
    [
        ("CrashRateLimit", "N", 0, int.MaxValue, 5, f => f.CrashRateLimit, (f, v) => f.CrashRateLimit = v),
        ("CrashRateWindow", "SECONDS", 1, int.MaxValue, 60, f => f.CrashRateWindow, (f, v) => f.CrashRateWindow = v),
        ("HandlerTimeLimit", "SECONDS", 1, int.MaxValue, 300, f => f.HandlerTimeLimit, (f, v) => f.HandlerTimeLimit = v),
        ("MaxHandlersPerUser", "1..8", 1, 8, 4, f => f.MaxHandlersPerUser, (f, v) => f.MaxHandlersPerUser = v),
        ("LogMaxBytes", "BYTES (at least 1024)", 1024, int.MaxValue, DefaultLogMaxBytes, f => f.LogMaxBytes, (f, v) => f.LogMaxBytes = v),
        ("MinFreeSpaceMB", "MIB", 0, int.MaxValue, Collection.FreeSpaceFloor.DefaultMinFreeSpaceMB, f => f.MinFreeSpaceMB, (f, v) => f.MinFreeSpaceMB = v),
    ];

    public static SettingsFile Parse(string text)
    {
        var file = new SettingsFile();
        SettingsSection? current = null;
        bool inOpenWer = false;
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
                continue;
            if (line[0] == '[' && line[^1] == ']')
            {
                string name = line[1..^1].Trim();
                inOpenWer = name.Equals("OpenWer", StringComparison.OrdinalIgnoreCase);
                if (inOpenWer)
                    current = null;
                else if (name.Equals(GlobalSection, StringComparison.OrdinalIgnoreCase))
                    current = file.Global;
                else if (name.StartsWith(GlobalSection + "\\", StringComparison.OrdinalIgnoreCase) && name.Length > GlobalSection.Length + 1)
                    current = file.Section(name[(GlobalSection.Length + 1)..]);
                else
                {
                    file.Problems.Add($"line {number}: unknown section [{name}]; expected [LocalDumps] or [LocalDumps\\<application>]");
                    current = null;
                }
                continue;
            }
            int eq = line.IndexOf('=');
            if (inOpenWer && eq > 0)
            {
                string k = line[..eq].Trim();
                bool ok = int.TryParse(line[(eq + 1)..].Trim(), out int n);
                var known = OpenWerValues.FirstOrDefault(v => v.Name.Equals(k, StringComparison.OrdinalIgnoreCase));
                if (ok && known.Name is not null && n >= known.Min && n <= known.Max)
                    known.Set(file, n);
                else
                    file.Problems.Add($"line {number}: [OpenWer] takes {string.Join(", ", OpenWerValues.Select(v => $"{v.Name}={v.Takes}"))}; not {line}");
                continue;
            }
            if (eq <= 0 || current is null)
            {
                file.Problems.Add($"line {number}: not a value of a known section: {line}");
                continue;
            }
            string key = line[..eq].Trim();
            if (!Enum.TryParse<LocalDumpsValue>(key, ignoreCase: true, out var value) || int.TryParse(key, out _))
            {
                file.Problems.Add($"line {number}: unknown value name {key}; LocalDumps has DumpFolder, DumpCount, DumpType, CustomDumpFlags");
                continue;
            }
            current.Values[value] = line[(eq + 1)..].Trim();
        }
        return file;
    }

    /// <summary>The section of an application, created if missing (names compare case-insensitively, as registry keys do).</summary>
    public SettingsSection Section(string application)
    {
        var found = Applications.FirstOrDefault(a => a.Application!.Equals(application, StringComparison.OrdinalIgnoreCase));
        if (found is null)
        {
            found = new SettingsSection(application);
            Applications.Add(found);
        }
        return found;
    }

    /// <summary>The section that applies to an executable: its name as is, or with/without ".exe".</summary>
    public SettingsSection? FindApplication(string executableName)
    {
        string bare = executableName.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? executableName[..^4] : executableName;
        return Applications.FirstOrDefault(a => a.Application!.Equals(executableName, StringComparison.OrdinalIgnoreCase))
            ?? Applications.FirstOrDefault(a => a.Application!.Equals(bare, StringComparison.OrdinalIgnoreCase)
                || a.Application!.Equals(bare + ".exe", StringComparison.OrdinalIgnoreCase));
    }

    public string Serialize()
    {
        var text = new StringBuilder();
        text.Append("; OpenWer LocalDumps settings (the Windows Error Reporting LocalDumps key). Edit with `wer localdumps`.\n");
        var changed = OpenWerValues.Where(v => v.Get(this) != v.Default).ToList();
        if (changed.Count > 0)
        {
            text.Append("\n[OpenWer]\n");
            foreach (var v in changed)
                text.Append($"{v.Name}={v.Get(this)}\n");
        }
        Write(text, GlobalSection, Global);
        foreach (var app in Applications.Where(a => a.Values.Count > 0))
            Write(text, $"{GlobalSection}\\{app.Application}", app);
        return text.ToString();
    }

    private static void Write(StringBuilder text, string name, SettingsSection section)
    {
        text.Append('\n').Append('[').Append(name).Append("]\n");
        foreach (var (key, value) in section.Values.OrderBy(v => v.Key))
            text.Append(key).Append('=').Append(value).Append('\n');
    }
}
