using System.Globalization;
using System.Text;

namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// Reads a Windows registry export (.reg, as `reg export` or regedit writes it: UTF-16LE with a BOM, or
/// UTF-8/ANSI for REGEDIT4) of the LocalDumps key and its per-application subkeys into a settings file.
/// Understands dword:, hex(2): (REG_EXPAND_SZ, UTF-16LE bytes, continued over lines with a backslash),
/// quoted strings (REG_SZ), "Name"=- (delete the value) and [-key] (delete the key).
/// </summary>
public static class RegistryExport
{
    private const string KeyName = "LocalDumps";

    public static List<string> Import(byte[] bytes, SettingsFile into)
    {
        var problems = new List<string>();
        string text = bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE
            ? Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2)
            : Encoding.UTF8.GetString(bytes);
        var lines = JoinContinuations(text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));
        if (lines.Count == 0 || !(lines[0].Trim().TrimStart('\uFEFF').StartsWith("Windows Registry Editor Version 5.00", StringComparison.Ordinal)
            || lines[0].Trim().TrimStart('\uFEFF').StartsWith("REGEDIT4", StringComparison.Ordinal)))
        {
            problems.Add("not a registry export: the first line is not \"Windows Registry Editor Version 5.00\" or \"REGEDIT4\"");
            return problems;
        }
        SettingsSection? section = null;
        bool any = false;
        foreach (var raw in lines.Skip(1))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith(';'))
                continue;
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                bool delete = line.StartsWith("[-", StringComparison.Ordinal);
                string key = line[(delete ? 2 : 1)..^1];
                section = SectionFor(key, into, out string? application);
                if (section is null)
                    continue;
                any = true;
                if (delete)
                {
                    section.Values.Clear();
                    if (application is not null)
                        into.Applications.Remove(section);
                    section = null;
                }
                continue;
            }
            if (section is null)
                continue;
            if (!TryValue(line, out string name, out string? value, out string? problem))
            {
                problems.Add(problem!);
                continue;
            }
            if (!Enum.TryParse<LocalDumpsValue>(name, ignoreCase: true, out var known) || int.TryParse(name, out _))
            {
                problems.Add($"\"{name}\" is not a LocalDumps value; ignored");
                continue;
            }
            if (value is null)
                section.Values.Remove(known);
            else
                section.Values[known] = value;
        }
        if (!any)
            problems.Add("the export holds no ...\\Windows Error Reporting\\LocalDumps key");
        return problems;
    }

    private static SettingsSection? SectionFor(string key, SettingsFile into, out string? application)
    {
        application = null;
        var parts = key.Split('\\');
        int at = Array.FindLastIndex(parts, p => p.Equals(KeyName, StringComparison.OrdinalIgnoreCase));
        if (at < 0 || at < parts.Length - 2)
            return null;
        if (at == parts.Length - 1)
            return into.Global;
        application = parts[^1];
        return into.Section(application);
    }

    private static List<string> JoinContinuations(string[] lines)
    {
        var joined = new List<string>();
        var current = new StringBuilder();
        foreach (var line in lines)
        {
            string t = line.TrimEnd();
            if (t.EndsWith('\\') && t.Contains('=', StringComparison.Ordinal) || current.Length > 0 && t.EndsWith('\\'))
            {
                current.Append(t[..^1].Trim());
                continue;
            }
            current.Append(current.Length > 0 ? t.Trim() : t);
            joined.Add(current.ToString());
            current.Clear();
        }
        if (current.Length > 0)
            joined.Add(current.ToString());
        return joined;
    }

    /// <summary>Parses "Name"=data; value null means delete.</summary>
    private static bool TryValue(string line, out string name, out string? value, out string? problem)
    {
        name = "";
        value = null;
        problem = null;
        int close = line.StartsWith('"') ? line.IndexOf("\"=", 1, StringComparison.Ordinal) : -1;
        if (close < 0)
        {
            problem = $"not a value line: {line}";
            return false;
        }
        name = line[1..close];
        string data = line[(close + 2)..];
        if (data == "-")
            return true;
        if (data.StartsWith("dword:", StringComparison.OrdinalIgnoreCase))
        {
            if (!uint.TryParse(data[6..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint dword))
            {
                problem = $"\"{name}\": bad dword {data}";
                return false;
            }
            value = dword.ToString(CultureInfo.InvariantCulture);
            return true;
        }
        if (data.StartsWith("hex(2):", StringComparison.OrdinalIgnoreCase))
        {
            var hex = data[7..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var bytes = new byte[hex.Length];
            for (int i = 0; i < hex.Length; i++)
            {
                if (!byte.TryParse(hex[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
                {
                    problem = $"\"{name}\": bad hex byte {hex[i]}";
                    return false;
                }
            }
            value = Encoding.Unicode.GetString(bytes).Split('\0')[0];
            return true;
        }
        if (data.StartsWith('"') && data.EndsWith('"') && data.Length >= 2)
        {
            value = data[1..^1].Replace("\\\\", "\u0001", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace('\u0001', '\\');
            return true;
        }
        problem = $"\"{name}\": value type not understood ({data}); LocalDumps values are REG_DWORD, REG_SZ or REG_EXPAND_SZ";
        return false;
    }
}
