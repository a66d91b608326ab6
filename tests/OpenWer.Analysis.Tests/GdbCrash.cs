using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// The truth about a crash from gdb running the same program to the fault: the signal and siginfo, the stack
/// pointer, the executable's load address, and the frames gdb walks. Frames gdb makes up from debug information
/// (inlined functions, tail calls: no return address of theirs is on the stack) are marked, as `info frame` says.
/// </summary>
public sealed partial class GdbCrash
{
    public required string Signal { get; init; }
    public required int SiCode { get; init; }
    public required ulong SiAddr { get; init; }
    public required ulong Sp { get; init; }
    public required ulong ExecutableBase { get; init; }
    /// <summary>Where the main thread's stack mapping ([stack]) starts.</summary>
    public required ulong StackStart { get; init; }
    /// <summary>Function names innermost first ("??" where gdb has none), with whether the frame is on the stack.</summary>
    public required IReadOnlyList<(string Function, bool OnStack)> Frames { get; init; }
    public required string Output { get; init; }

    public static GdbCrash Run(string binary, string mode, int frames = 40)
    {
        var r = Tool.Run("gdb", ["-batch", "-nx", "-ex", "handle SIGUSR1 nostop noprint pass", "-ex", "run", "-ex", $"bt {frames}",
            "-ex", "p/x $_siginfo.si_code", "-ex", "p/x $_siginfo._sifields._sigfault.si_addr", "-ex", "p/x $sp",
            "-ex", "info proc mappings", "-ex", $"frame apply {frames} info frame", "--args", binary, mode], TimeSpan.FromMinutes(2));
        string o = r.All;
        var signal = SignalLine().Match(o);
        Assert.True(signal.Success, "gdb saw no signal: " + o);
        var values = ValueLine().Matches(o).Select(m => Convert.ToUInt64(m.Groups[2].Value, 16)).ToList();
        Assert.True(values.Count >= 3, "gdb printed no siginfo: " + o);
        var names = new SortedDictionary<int, string>();
        foreach (Match m in FrameLine().Matches(o))
            names.TryAdd(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value.TrimEnd(' ', '('));
        var synthetic = new HashSet<int>();
        foreach (var block in o.Split("Stack level ").Skip(1))
        {
            int level = int.Parse(block[..block.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            if (block.Contains("tail call frame", StringComparison.Ordinal) || block.Contains("inlined into frame", StringComparison.Ordinal))
                synthetic.Add(level);
        }
        string path = Path.GetFullPath(binary);
        var map = o.Split('\n').First(l => l.TrimEnd().EndsWith(path, StringComparison.Ordinal));
        var stack = o.Split('\n').First(l => l.TrimEnd().EndsWith("[stack]", StringComparison.Ordinal));
        return new GdbCrash
        {
            Signal = signal.Groups[1].Value,
            SiCode = unchecked((int)(uint)values[0]),
            SiAddr = values[1],
            Sp = values[2],
            ExecutableBase = Convert.ToUInt64(map.Trim().Split(' ')[0], 16),
            StackStart = Convert.ToUInt64(stack.Trim().Split(' ')[0], 16),
            Frames = names.Select(kv => (kv.Value, !synthetic.Contains(kv.Key))).ToList(),
            Output = o,
        };
    }

    [GeneratedRegex(@"Program received signal (SIG[A-Z]+)")]
    private static partial Regex SignalLine();

    [GeneratedRegex(@"^\$(\d+) = 0x([0-9a-f]+)$", RegexOptions.Multiline)]
    private static partial Regex ValueLine();

    // "<signal handler called>" is gdb's name for the kernel's signal frame (libc's sigreturn trampoline).
    [GeneratedRegex(@"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+ \(|<signal handler called>)", RegexOptions.Multiline)]
    private static partial Regex FrameLine();
}
