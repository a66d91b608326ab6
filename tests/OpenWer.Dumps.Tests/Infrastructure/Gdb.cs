using System.Text.RegularExpressions;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>gdb, run in batch mode on a live process or on a core file, and the parts of its output the tests compare.</summary>
public static partial class Gdb
{
    public static string OnProcess(int pid, params string[] commands) =>
        Run(["-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], commands);

    public static string OnCore(string executable, string core, params string[] commands) => Run([executable, core], commands);

    private static string Run(IEnumerable<string> target, string[] commands)
    {
        var args = new List<string> { "-batch", "-nx" };
        foreach (var c in commands)
            args.AddRange(["-ex", c]);
        args.AddRange(target);
        var r = Tool.Run("gdb", args, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, "gdb failed: " + r.All);
        return r.All;
    }

    /// <summary>"info sharedlibrary": each library's text range and name.</summary>
    public static List<(ulong From, ulong To, string Name)> SharedLibraries(string output) =>
        SharedLibraryLine().Matches(output).Select(m => (Convert.ToUInt64(m.Groups[1].Value, 16), Convert.ToUInt64(m.Groups[2].Value, 16),
            m.Groups[3].Value.Trim())).ToList();

    /// <summary>The function names of one thread's frames in "thread apply all bt" output, innermost first.</summary>
    public static List<string> Frames(string output, int threadId)
    {
        // The heading of the thread's backtrace: "Thread 1 (Thread 0x7f... (LWP 42) "name"):" live, "Thread 1 (LWP 42):" in a core.
        var heading = output.Split('\n').FirstOrDefault(l => l.StartsWith("Thread ", StringComparison.Ordinal) && l.Contains($"LWP {threadId})", StringComparison.Ordinal));
        Assert.True(heading is not null, $"no thread {threadId} in gdb's output: {output}");
        int at = output.IndexOf(heading, StringComparison.Ordinal);
        var frames = new List<string>();
        foreach (var line in output[at..].Split('\n').Skip(1))
        {
            if (line.StartsWith("Thread ", StringComparison.Ordinal))
                break;
            if (FrameLine().Match(line) is { Success: true } m)
                frames.Add(m.Groups[1].Value);
        }
        return frames;
    }

    [GeneratedRegex(@"^0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(?:Yes|No)(?: \(\*\))?\s+(/.+)$", RegexOptions.Multiline)]
    private static partial Regex SharedLibraryLine();

    [GeneratedRegex(@"^#\d+\s+(?:0x[0-9a-f]+ in )?([\w.@]+) \(")]
    private static partial Regex FrameLine();
}
