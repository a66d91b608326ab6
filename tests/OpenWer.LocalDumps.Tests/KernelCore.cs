using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// The kernel's own core file of a crash, as ground truth: core_pattern is pointed at a test folder for the
/// duration and restored afterwards, even when the test fails.
/// </summary>
public static partial class KernelCore
{
    private const string PatternFile = "/proc/sys/kernel/core_pattern";
    private static readonly Lock Gate = new();

    /// <summary>
    /// Runs the program with cores on, and returns gdb's backtrace of the crashing thread from the kernel's core
    /// (followed by what <paramref name="moreCommands"/> print).
    /// </summary>
    public static string GdbBacktrace(string program, string mode, string folder, params string[] moreCommands)
    {
        string core = Take(program, mode, folder);
        var gdb = Tool.Run("gdb", ["-batch", "-ex", "bt", .. moreCommands.SelectMany(c => new[] { "-ex", c }), program, core]);
        File.Delete(core);
        return gdb.All;
    }

    /// <summary>Runs the program with cores on and returns the path of the kernel's core of its crash, in <paramref name="folder"/>.</summary>
    public static string Take(string program, string mode, string folder)
    {
        lock (Gate)
        {
            using var machine = CorePatternLock.Take();
            string saved = File.ReadAllText(PatternFile).TrimEnd('\n');
            try
            {
                File.WriteAllText(PatternFile, Path.Combine(folder, "core.%p"));
                Tool.Run("/bin/sh", ["-c", "ulimit -c unlimited; exec \"$0\" \"$1\"", program, mode]);
            }
            finally
            {
                File.WriteAllText(PatternFile, saved);
            }
        }
        return Assert.Single(Directory.GetFiles(folder, "core.*"));
    }

    /// <summary>Function names of the frames in <paramref name="module"/>, innermost first, from gdb's bt.</summary>
    public static List<string> GdbFunctions(string backtrace, ISet<string> known)
    {
        // gdb prints frame #0 once when it loads the core and again in bt: keep the last of each number.
        var frames = new SortedDictionary<int, string>();
        foreach (Match m in GdbFrame().Matches(backtrace))
            frames[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = m.Groups[2].Value;
        return frames.Values.Where(known.Contains).ToList();
    }

    /// <summary>Function names of the frames in <paramref name="module"/>, innermost first, from lldb's bt.</summary>
    public static List<string> LldbFunctions(string backtrace, string module)
    {
        var names = LldbFrame().Matches(backtrace).Where(m => m.Groups[1].Value == module).Select(m => m.Groups[2].Value).ToList();
        // gdb stops at main ("backtrace past-main" is off); so do we.
        int main = names.IndexOf("main");
        return main >= 0 ? names[..(main + 1)] : names;
    }

    [GeneratedRegex(@"^#(\d+)\s+(?:0x[0-9a-f]+ in )?([A-Za-z_][A-Za-z0-9_]*) \(", RegexOptions.Multiline)]
    private static partial Regex GdbFrame();

    [GeneratedRegex(@"frame #\d+: 0x[0-9a-f]+ ([^`\s]+)`([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex LldbFrame();
}
