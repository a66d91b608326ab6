using System.Globalization;
using OpenWer.Dumps;
using OpenWer.Format;

namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// The values in force for one application: its section's value where set and valid, else the global value
/// where set and valid, else the default (%LOCALAPPDATA%\CrashDumps, 10, 1, 0x121). A bad value never costs
/// the dump: it is reported and the next level applies.
/// </summary>
public sealed record LocalDumpsSettings(
    EffectiveSetting<string> DumpFolder,
    EffectiveSetting<int> DumpCount,
    EffectiveSetting<int> DumpType,
    EffectiveSetting<MinidumpType> CustomDumpFlags)
{
    public const string DefaultDumpFolder = "%LOCALAPPDATA%\\CrashDumps";
    public const int DefaultDumpCount = 10;
    public const int DefaultDumpType = 1;
    public const MinidumpType DefaultCustomDumpFlags = DumpTypeFlags.LocalDumpsCustomDefault;

    /// <summary>DumpType 0: custom flags; 1: mini; 2: full (the LocalDumps document).</summary>
    public MinidumpType Flags => DumpType.Value switch
    {
        0 => CustomDumpFlags.Value,
        2 => DumpTypeFlags.Full,
        _ => DumpTypeFlags.Mini,
    };

    public IEnumerable<string> Problems =>
        new[] { DumpFolder.Problem, DumpCount.Problem, DumpType.Problem, CustomDumpFlags.Problem }.OfType<string>();

    public static LocalDumpsSettings Resolve(SettingsFile file, string? executableName, CrashingUser user)
    {
        var app = executableName is null ? null : file.FindApplication(executableName);
        string defaultFolder = DumpFolderExpander.TryExpand(DefaultDumpFolder, user, out var d, out _) ? d : "/tmp";
        return new LocalDumpsSettings(
            Pick(file, app, LocalDumpsValue.DumpFolder, DefaultDumpFolder, defaultFolder, (string v, out string f, out string? p) =>
                DumpFolderExpander.TryExpand(v, user, out f, out p)),
            Pick(file, app, LocalDumpsValue.DumpCount, "10", DefaultDumpCount, (string v, out int n, out string? p) =>
                Dword(v, 0, int.MaxValue, out n, out p, $"DumpCount \"{v}\" is not a number from 0 to {int.MaxValue}")),
            Pick(file, app, LocalDumpsValue.DumpType, "1", DefaultDumpType, (string v, out int n, out string? p) =>
                Dword(v, 0, 2, out n, out p, $"DumpType \"{v}\" is not 0 (custom), 1 (mini) or 2 (full)")),
            Pick(file, app, LocalDumpsValue.CustomDumpFlags, "0x121", DefaultCustomDumpFlags, (string v, out MinidumpType f, out string? p) =>
            {
                bool ok = ParseDword(v) is long n && (n & ~(long)MinidumpType.ValidTypeFlags) == 0;
                f = ok ? (MinidumpType)ParseDword(v)!.Value : default;
                p = ok ? null : $"CustomDumpFlags \"{v}\" is not a MINIDUMP_TYPE (bits within 0x01ffffff)";
                return ok;
            }));
    }

    private delegate bool Parser<T>(string written, out T value, out string? problem);

    private static bool Dword(string written, long min, long max, out int value, out string? problem, string message)
    {
        bool ok = ParseDword(written) is long n && n >= min && n <= max;
        value = ok ? (int)ParseDword(written)!.Value : 0;
        problem = ok ? null : message;
        return ok;
    }

    private static EffectiveSetting<T> Pick<T>(SettingsFile file, SettingsSection? app, LocalDumpsValue name, string defaultWritten,
        T defaultValue, Parser<T> parse)
    {
        var problems = new List<string>();
        foreach (var (section, source) in new[] { (app, $"[LocalDumps\\{app?.Application}]"), (file.Global, "[LocalDumps]") })
        {
            if (section is null || !section.Values.TryGetValue(name, out var written))
                continue;
            if (parse(written, out var value, out var problem))
                return new EffectiveSetting<T>(value, written, source, problems.Count > 0 ? string.Join("; ", problems) : null);
            problems.Add($"{source} {problem}; not used");
        }
        return new EffectiveSetting<T>(defaultValue, defaultWritten, "default", problems.Count > 0 ? string.Join("; ", problems) : null);
    }

    /// <summary>A DWORD as written by hand (decimal, or hex with 0x) or by `reg export` (dword:0000000a is converted on import).</summary>
    public static long? ParseDword(string text)
    {
        text = text.Trim();
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long value)
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok && value is >= 0 and <= uint.MaxValue ? value : null;
    }
}
