using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// gdb on a program run to its crash: every thread's frames by gdb's thread number (1 is the main thread), with the
/// frames gdb makes up from debug information (inlined functions, tail calls) left out, as `info frame` marks them.
/// </summary>
public static partial class GdbThreads
{
    public static (string Signal, Dictionary<int, List<string>> Threads, string Output) Run(string binary, params string[] arguments)
    {
        var r = Tool.Run("gdb", ["-batch", "-nx", "-ex", "run", "-ex", "thread apply all bt", "-ex", "thread apply all frame apply all info frame",
            "--args", binary, .. arguments], TimeSpan.FromMinutes(2));
        string o = r.All;
        var signal = SignalLine().Match(o);
        Assert.True(signal.Success, "gdb saw no signal: " + o);
        var names = new Dictionary<int, SortedDictionary<int, string>>();
        var synthetic = new Dictionary<int, HashSet<int>>();
        int thread = 0;
        foreach (var line in o.Split('\n'))
        {
            if (ThreadHeading().Match(line) is { Success: true } h)
                thread = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (FrameLine().Match(line) is { Success: true } f && thread > 0)
                (names.TryGetValue(thread, out var n) ? n : names[thread] = []).TryAdd(int.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture), f.Groups[2].Value);
        }
        thread = 0;
        int level = -1;
        foreach (var line in o.Split('\n'))
        {
            if (ThreadHeading().Match(line) is { Success: true } h)
                thread = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (line.StartsWith("Stack level ", StringComparison.Ordinal))
                level = int.Parse(line[12..line.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            else if (line.Contains("tail call frame", StringComparison.Ordinal) || line.Contains("inlined into frame", StringComparison.Ordinal))
                (synthetic.TryGetValue(thread, out var s) ? s : synthetic[thread] = []).Add(level);
        }
        var threads = names.ToDictionary(t => t.Key, t => t.Value.Where(f => !(synthetic.GetValueOrDefault(t.Key)?.Contains(f.Key) ?? false)).Select(f => f.Value).ToList());
        return (signal.Groups[1].Value, threads, o);
    }

    [GeneratedRegex(@"received signal (SIG[A-Z]+)")]
    private static partial Regex SignalLine();

    [GeneratedRegex(@"^Thread (\d+) \(")]
    private static partial Regex ThreadHeading();

    [GeneratedRegex(@"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) \(")]
    private static partial Regex FrameLine();
}
