using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// What Breakpad's minidump_stackwalk makes of a dump: its machine-readable report (-m: crash, modules, frames),
/// joined with how it found each frame and the frame's rip, which only the human-readable report prints.
/// </summary>
public static partial class BreakpadStackwalk
{
    /// <param name="Trust">Breakpad's "Found by:", e.g. "call frame info" or "stack scanning".</param>
    public sealed record Frame(string Module, string Function, string SourceFile, int? Line, string Trust, ulong Rip);

    public sealed record Module(string CodeFile, string DebugFile, string DebugId, ulong Base, ulong End, bool Main);

    /// <param name="Reason">e.g. "SIGSEGV /SEGV_MAPERR", or "DUMP_REQUESTED" for a dump of a running process.</param>
    /// <param name="Thread">The crashing (or requesting) thread's index in the thread list.</param>
    public sealed record Report(string Reason, ulong Address, int? Thread, IReadOnlyList<Module> Modules, IReadOnlyList<IReadOnlyList<Frame>> Threads, string Log)
    {
        /// <summary>Names of the functions in <paramref name="module"/> on a thread's stack, innermost first.</summary>
        public IReadOnlyList<string> Functions(int thread, string module) =>
            Threads[thread].Where(f => f.Module == module).Select(f => f.Function).ToList();
    }

    public static Report Run(string dump, string symbols)
    {
        var machine = Tool.Run(Breakpad.Stackwalk, ["-m", dump, symbols]);
        Assert.True(machine.ExitCode == 0, $"minidump_stackwalk -m failed ({machine.ExitCode}): {machine.Error}");
        var human = Tool.Run(Breakpad.Stackwalk, [dump, symbols]);
        Assert.True(human.ExitCode == 0, $"minidump_stackwalk failed ({human.ExitCode}): {human.Error}");
        var found = FoundBy(human.Output);

        string reason = "";
        ulong address = 0;
        int? crashThread = null;
        var modules = new List<Module>();
        var threads = new List<List<Frame>>();
        foreach (string line in machine.Output.Split('\n'))
        {
            var f = line.Split('|');
            if (f[0] == "Crash" && f.Length == 4)
            {
                reason = f[1];
                address = f[2].Length > 0 ? Hex(f[2]) : 0;
                crashThread = f[3].Length > 0 ? Int(f[3]) : null;
            }
            else if (f[0] == "Module" && f.Length == 8)
            {
                modules.Add(new Module(f[1], f[3], f[4], Hex(f[5]), Hex(f[6]), f[7] == "1"));
            }
            else if (f.Length == 7 && int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int thread))
            {
                int frame = Int(f[1]);
                while (threads.Count <= thread) threads.Add([]);
                Assert.True(threads[thread].Count == frame, $"frame {frame} of thread {thread} out of order: {line}");
                var (trust, rip) = found[thread][frame];
                threads[thread].Add(new Frame(f[2], f[3], f[4], f[5].Length > 0 ? Int(f[5]) : null, trust, rip));
            }
        }
        Assert.True(threads.Count == found.Count, $"-m lists {threads.Count} threads, the report {found.Count}");
        return new Report(reason, address, crashThread, modules, threads, machine.Error);
    }

    /// <summary>Per thread, per frame: "Found by:" and rip, from the human-readable report (the crashing thread first).</summary>
    private static Dictionary<int, List<(string Trust, ulong Rip)>> FoundBy(string report)
    {
        var threads = new Dictionary<int, List<(string, ulong)>>();
        foreach (Match block in ThreadBlock().Matches(report))
        {
            var frames = new List<(string, ulong)>();
            foreach (Match frame in FrameBlock().Matches(block.Groups[2].Value))
            {
                var rip = RipLine().Match(frame.Value);
                frames.Add((frame.Groups[2].Value.Trim(), rip.Success ? Hex(rip.Groups[1].Value) : 0));
            }
            threads.Add(Int(block.Groups[1].Value), frames);
        }
        return threads;
    }

    private static ulong Hex(string s) => Convert.ToUInt64(s, 16);

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Thread (\d+)(?: \(crashed\))?\n((?:.+\n?)*)", RegexOptions.Multiline)]
    private static partial Regex ThreadBlock();

    // A frame: its number line, registers, then "Found by:".
    [GeneratedRegex(@"^\s*(\d+)  .*\n(?:.*\n)*?\s+Found by: (.*)$", RegexOptions.Multiline)]
    private static partial Regex FrameBlock();

    [GeneratedRegex(@"\brip = 0x([0-9a-f]+)")]
    private static partial Regex RipLine();
}
