using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenWer.Analysis.Grouping;
using OpenWer.Analysis.Signatures;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.MachineWide;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.Cli;

/// <summary>
/// `wer localdumps list`: the dumps collected on this machine, newest first, with what `coredumpctl list` shows
/// (time, pid, signal, executable, size) and the signature; the caller's own, or every user's as root.
/// </summary>
public static class LocalDumpsListCommand
{
    public static Command Create(Option<string> settings)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array (docs/localdumps.md lists the fields)" };
        var rules = new Option<string?>("--signature-rules") { Description = "A folder with irrelevant.txt, prefix.txt and/or rename.txt replacing the built-in signature rules" };
        var command = new Command("list", "List the dumps collected on this machine, newest first: yours, or every user's as root") { json, rules };
        command.SetAction(p => Run(p.GetValue(settings)!, p.GetValue(json), p.GetValue(rules)));
        return command;
    }

    private static int Run(string settingsPath, bool json, string? rulesFolder)
    {
        SignatureRules rules;
        try
        {
            rules = SignatureRules.Load(rulesFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return CommandFailure.Fail("localdumps", ExitCodes.Usage, $"the signature rules cannot be read: {e.Message}");
        }
        var file = SettingsStore.Load(settingsPath, out string? refused);
        if (refused is not null)
            Console.Error.WriteLine($"wer localdumps: settings ignored, defaults apply: {refused}");
        var found = CollectedDumps.Find(file, CrashingUser.Current(), everyUser: Environment.IsPrivilegedProcess);
        var owners = found.ToDictionary(d => d.Path, d => d.OwnerUid, StringComparer.Ordinal);
        var entries = DumpListEntry.Read(found.Select(d => d.Path), rules);
        var names = new Dictionary<uint, string>();
        string Owner(string path)
        {
            uint uid = owners[path];
            if (!names.TryGetValue(uid, out var name))
                names[uid] = name = UserIdentity.Lookup(uid, 0)?.Name ?? uid.ToString(CultureInfo.InvariantCulture);
            return name;
        }
        if (json)
            WriteJson(entries, Owner, p => owners[p]);
        else
            WriteText(entries, Owner);
        return ExitCodes.Success;
    }

    private static void WriteText(IReadOnlyList<DumpListEntry> entries, Func<string, string> owner)
    {
        if (entries.Count == 0)
        {
            Console.WriteLine(Environment.IsPrivilegedProcess ? "no dumps collected on this machine" : "no dumps of yours collected (root sees every user's)");
            return;
        }
        string[] header = ["TIME", "PID", "SIGNAL", "EXECUTABLE", "SIZE", "USER", "SIGNATURE", "FILE"];
        var rows = entries.Select(e => new[]
        {
            e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            e.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "-",
            e.Signal ?? "-",
            e.Executable ?? "-",
            Size(e.Size),
            owner(e.Path),
            e.Problem is { } problem ? $"({problem})" : e.Signature ?? "-",
            e.Path,
        }).ToList();
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(i => Math.Max(header[i].Length, rows.Max(r => r[i].Length)))];
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        Console.WriteLine(Line(header));
        foreach (var row in rows)
            Console.WriteLine(Line(row));
        Console.WriteLine($"{entries.Count} dump(s); times are UTC");
    }

    private static string Size(long bytes) => bytes >= 1 << 20
        ? $"{bytes / 1048576.0:F1} MiB"
        : $"{bytes / 1024.0:F1} KiB";

    private static void WriteJson(IReadOnlyList<DumpListEntry> entries, Func<string, string> owner, Func<string, uint> uid)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("path", e.Path);
                w.WriteString("time", e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                if (e.ProcessId is { } pid) w.WriteNumber("pid", pid); else w.WriteNull("pid");
                w.WriteString("signal", e.Signal);
                w.WriteString("executable", e.Executable);
                w.WriteNumber("size", e.Size);
                w.WriteNumber("uid", uid(e.Path));
                w.WriteString("user", owner(e.Path));
                w.WriteString("signature", e.Signature);
                w.WriteString("problem", e.Problem);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.Write("\n"u8);
    }
}
