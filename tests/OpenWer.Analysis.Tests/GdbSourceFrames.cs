using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// gdb's frames of a crash with their source positions, from `info frame` on each level: the function, the file and
/// line gdb places it at (none where gdb shows none), and whether gdb made the frame up from debug information
/// (an inlined function, a tail call) rather than found it on the stack.
/// </summary>
public static partial class GdbSourceFrames
{
    public sealed record Frame(int Level, string? Function, string? File, int? Line, bool Inlined, bool TailCall)
    {
        public bool OnStack => !Inlined && !TailCall;
    }

    public static IReadOnlyList<Frame> Run(string binary, string mode, int frames = 40)
    {
        var r = Tool.Run("gdb", ["-batch", "-nx", "-ex", "handle SIGUSR1 nostop noprint pass", "-ex", "run",
            "-ex", $"frame apply {frames} info frame", "--args", binary, mode], TimeSpan.FromMinutes(2));
        var result = new List<Frame>();
        foreach (var block in r.All.Split("Stack level ").Skip(1))
        {
            int level = int.Parse(block[..block.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var rip = RipLine().Match(block);
            Assert.True(rip.Success, "gdb's info frame has no rip line: " + block);
            result.Add(new Frame(level, rip.Groups[1].Success ? rip.Groups[1].Value : null,
                rip.Groups[2].Success ? rip.Groups[2].Value : null,
                rip.Groups[3].Success ? int.Parse(rip.Groups[3].Value, CultureInfo.InvariantCulture) : null,
                block.Contains("inlined into frame", StringComparison.Ordinal), block.Contains("tail call frame", StringComparison.Ordinal)));
        }
        Assert.True(result.Count > 0, "gdb walked no frames: " + r.All);
        return result;
    }

    /// <summary>
    /// What a walk without inlined frames must show for each frame found on the stack: the position of the innermost
    /// function at its pc, which gdb gives the first of the inlined frames it shows before the frame, else the frame itself.
    /// </summary>
    public static IReadOnlyList<Frame> Physical(IReadOnlyList<Frame> frames)
    {
        var physical = new List<Frame>();
        for (int i = 0; i < frames.Count; i++)
        {
            if (!frames[i].OnStack)
                continue;
            int first = i;
            while (first > 0 && frames[first - 1].Inlined)
                first--;
            physical.Add(frames[i] with { File = frames[first].File, Line = frames[first].Line });
        }
        return physical;
    }

    // " rip = 0x5555555551b9 in crash (/path/analyze-crashes.c:59); saved rip = 0x..." (no "in" for an unknown pc, no
    // position where gdb has no line).
    [GeneratedRegex(@"rip = 0x[0-9a-f]+(?: in (\S+?))?(?: \((.+):(\d+)\))?; saved rip")]
    private static partial Regex RipLine();
}
