using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>The crashing thread's frames of `wer analyze --json` with their source positions, and their comparison with gdb's.</summary>
public static class SourceFrames
{
    public sealed record Frame(int Index, string? Function, string? Module, ulong ModuleOffset, string Trust, string? File, int? Line);

    public sealed record Analysis(IReadOnlyList<Frame> Frames, IReadOnlyList<JsonElement> Modules, string Text);

    public static IReadOnlyList<Frame> Analyze(string dump) => AnalyzeAll(dump).Frames;

    public static Analysis AnalyzeAll(string dump)
    {
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", dump]);
        Assert.True(r.ExitCode == 0, r.All);
        using var json = JsonDocument.Parse(r.Output);
        var frames = json.RootElement.GetProperty("crashing_thread").GetProperty("frames").EnumerateArray().Select(f => new Frame(
            f.GetProperty("frame").GetInt32(), f.GetProperty("function").GetString(), f.GetProperty("module").GetString(),
            f.GetProperty("module_offset").ValueKind == JsonValueKind.Null ? 0 : Convert.ToUInt64(f.GetProperty("module_offset").GetString()![2..], 16),
            f.GetProperty("trust").GetString()!, f.GetProperty("file").GetString(),
            f.GetProperty("line").ValueKind == JsonValueKind.Null ? null : f.GetProperty("line").GetInt32())).ToList();
        var modules = json.RootElement.GetProperty("modules").EnumerateArray().Select(m => m.Clone()).ToList();
        return new Analysis(frames, modules, r.Output);
    }

    /// <summary>
    /// Compares frame by frame (through main, or the first 40 for a recursion gdb would walk forever): where gdb has
    /// a line, ours must be the same file and line. Returns how many frames had one.
    /// </summary>
    /// <summary>addr2line's file and line of a link-time address in a file, or null where it has none ("??:0").</summary>
    public static (string File, int Line)? Addr2Line(string file, ulong address)
    {
        var r = Tool.Run("addr2line", ["-e", file, $"0x{address:x}"]);
        Assert.True(r.ExitCode == 0, r.All);
        string line = r.Output.Split('\n')[0];
        int space = line.IndexOf(" (", StringComparison.Ordinal);
        if (space >= 0)
            line = line[..space]; // " (discriminator 1)"
        int colon = line.LastIndexOf(':');
        return colon > 0 && int.TryParse(line[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0 && line[..colon] != "??"
            ? (line[..colon], n) : null;
    }

    /// <summary>The link-time address a frame is looked up at (in a position-independent file, its module offset; a return address less one).</summary>
    public static ulong LookupOffset(Frame f) => f.Trust == "context" ? f.ModuleOffset : f.ModuleOffset - 1;

    public static int CompareWithGdb(IReadOnlyList<Frame> ours, IReadOnlyList<GdbSourceFrames.Frame> gdb, bool unbounded, ITestOutputHelper output)
    {
        int count;
        if (unbounded)
        {
            count = Math.Min(40, Math.Min(ours.Count, gdb.Count));
        }
        else
        {
            int main = gdb.ToList().FindIndex(f => f.Function == "main");
            Assert.True(main >= 0, "gdb never reached main");
            count = main + 1;
            Assert.True(ours.Count >= count, $"our walk has {ours.Count} frames, gdb {count} through main");
        }
        int compared = 0;
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var (o, g) = (ours[i], gdb[i]);
            if (unbounded && i == 0)
                // Which instruction of the recursion meets the stack guard first differs from run to run (the push or
                // the store): gdb's run may fault one line away from ours, so the context frame is checked by addr2line alone.
                continue;
            lines.Add($"#{i} ours {o.Function} at {o.File}:{o.Line}; gdb {g.Function} at {g.File}:{g.Line}");
            if (g.Line is null)
                continue;
            compared++;
            Assert.True(o.File == g.File && o.Line == g.Line, $"frame {i}: ours {o.File}:{o.Line}, gdb {g.File}:{g.Line}\n" + string.Join('\n', lines));
        }
        output.WriteLine($"{compared} of {count} frames placed at gdb's file and line");
        output.WriteLine(string.Join('\n', lines));
        return compared;
    }
}
