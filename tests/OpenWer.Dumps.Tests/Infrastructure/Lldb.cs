using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>lldb-16 in batch mode on a minidump: an independent reader of what we wrote.</summary>
public static partial class Lldb
{
    public static string Run(string dump, params string[] commands)
    {
        var result = RunRaw(dump, commands);
        Assert.True(result.ExitCode == 0, $"lldb failed ({result.ExitCode}): {result.All}");
        return result.All;
    }

    /// <summary>Runs lldb without insisting that every command succeeds (a failed memory read makes it exit 1).</summary>
    public static Tool.Result RunRaw(string dump, params string[] commands)
    {
        var args = new List<string> { "-b", "--no-lldbinit", "-c", dump };
        foreach (var c in commands)
        {
            args.Add("-o");
            args.Add(c);
        }
        // lldb-16 now and then aborts at exit ("double free or corruption", after every command has run: an
        // lldb bug, llvm-project#118577 and kin); such a run is repeated, at most twice.
        Tool.Result result = Tool.Run(Tool.Require("lldb-16"), args, TimeSpan.FromMinutes(3));
        for (int attempt = 0; attempt < 2 && result.ExitCode == 134; attempt++)
            result = Tool.Run(Tool.Require("lldb-16"), args, TimeSpan.FromMinutes(3));
        Assert.Contains("was loaded", result.All);
        return result;
    }

    public static List<int> ThreadIds(string output) =>
        ThreadLine().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>rip and rsp of every thread, read with "thread select N; register read rip rsp".</summary>
    public static Dictionary<int, (ulong Rip, ulong Rsp)> Registers(string dump, IReadOnlyList<int> threadIds)
    {
        var commands = new List<string>();
        for (int i = 1; i <= threadIds.Count; i++)
        {
            commands.Add($"thread select {i}");
            commands.Add("thread info");
            commands.Add("register read rip rsp");
        }
        string output = Run(dump, [.. commands]);
        var result = new Dictionary<int, (ulong, ulong)>();
        var tids = ThreadInfoLine().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var rips = Register("rip").Matches(output).Select(m => Convert.ToUInt64(m.Groups[1].Value, 16)).ToList();
        var rsps = Register("rsp").Matches(output).Select(m => Convert.ToUInt64(m.Groups[1].Value, 16)).ToList();
        Assert.True(tids.Count == rips.Count && rips.Count == rsps.Count, "could not read registers from lldb: " + output);
        for (int i = 0; i < tids.Count; i++)
            result[tids[i]] = (rips[i], rsps[i]);
        return result;
    }

    /// <summary>Module path -> raw UUID (lowercase hex, no dashes) from "image list".</summary>
    public static Dictionary<string, string> Images(string output) =>
        ImageLine().Matches(output).ToDictionary(m => m.Groups[3].Value.Trim(), m => m.Groups[1].Value.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant());

    /// <summary>Bytes lldb reads at an address, or null when it cannot read them.</summary>
    public static string? ReadMemoryAscii(string dump, ulong address, int count)
    {
        string output = RunRaw(dump, $"memory read -s1 -c{count} 0x{address:x}").All;
        var line = MemoryLine().Match(output);
        return line.Success ? line.Groups[1].Value : null;
    }

    private static Regex Register(string name) => new($@"\b{name} = 0x([0-9a-f]+)");

    [GeneratedRegex(@"thread #\d+: tid = (\d+)")]
    private static partial Regex ThreadLine();

    [GeneratedRegex(@"^thread #\d+: tid = (\d+)", RegexOptions.Multiline)]
    private static partial Regex ThreadInfoLine();

    private static Regex ImageLine() => new(@"^\[\s*\d+\] ([0-9A-F-]+) (0x[0-9a-f]+) (\S+)", RegexOptions.Multiline);

    [GeneratedRegex(@"^0x[0-9a-f]+: (?:[0-9a-f]{2} )+\s*(.*)$", RegexOptions.Multiline)]
    private static partial Regex MemoryLine();
}
