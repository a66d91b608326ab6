using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// A crash in a worker thread while the main thread waits in pthread_join: the crashing thread comes first, the other
/// gets a summary line (its frames with --all-threads), and both threads' frames equal gdb's.
/// </summary>
public sealed class ThreadCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly Lazy<string> Crasher = new(() =>
    {
        string binary = Path.Combine(Directory.CreateTempSubdirectory("openwer-analyze-crasher-").FullName, "crasher");
        var r = Tool.Run("cc", ["-O1", "-g", "-pthread", "-o", binary, Path.Combine(RepoPaths.Root, "tests/fixtures/native/crasher.c")]);
        Assert.True(r.ExitCode == 0, "cc failed: " + r.All);
        return binary;
    });

    [Fact]
    public void TheCrashingThreadComesFirstAndEveryThreadsFramesEqualGdbs()
    {
        string dump = CrashFixture.Dump(Crasher.Value, "segv", "mini", _dir);
        var (signal, gdbThreads, _) = GdbThreads.Run(Crasher.Value, "segv");

        var text = Tool.Run(CrashFixture.Wer, ["analyze", dump]);
        Assert.True(text.ExitCode == 0, text.All);
        var blocks = text.Output.Split("\nthread ").Skip(1).ToList();
        Assert.Contains("\"owr-crasher\" (crashed)", blocks[0]);
        Assert.Contains("crash_in_thread", blocks[0]);
        var summary = Assert.Single(blocks.Skip(1));
        Assert.Matches(@"^\d+ ""crasher"": \d+ frames, top ", summary);

        var all = Tool.Run(CrashFixture.Wer, ["analyze", "--all-threads", "--json", dump]);
        Assert.True(all.ExitCode == 0, all.All);
        using var json = JsonDocument.Parse(all.Output);
        var root = json.RootElement;
        Assert.StartsWith(signal + " ", root.GetProperty("crash_info").GetProperty("type").GetString() + " ");
        uint crashingId = root.GetProperty("crash_info").GetProperty("crashing_thread").GetUInt32();
        int pid = root.GetProperty("pid").GetInt32();
        var modules = root.GetProperty("modules").EnumerateArray().ToDictionary(m => m.GetProperty("filename").GetString()!, m => m.GetProperty("path").GetString()!);
        foreach (var thread in root.GetProperty("threads").EnumerateArray())
        {
            uint id = thread.GetProperty("thread_id").GetUInt32();
            // gdb numbers the main thread 1 and the worker 2.
            var truth = gdbThreads[id == (uint)pid ? 1 : 2];
            var ours = thread.GetProperty("frames").EnumerateArray().Select(f => (
                Function: f.GetProperty("function").GetString() ?? "??",
                Path: f.GetProperty("module").GetString() is { } m ? modules[m] : null,
                Start: f.GetProperty("function").ValueKind == JsonValueKind.Null ? 0 : Hex(f.GetProperty("module_offset")) - Hex(f.GetProperty("function_offset")))).ToList();
            if (truth.Contains("main"))
                truth = truth[..(truth.IndexOf("main") + 1)];
            ours = ours.Take(truth.Count).ToList();
            int equal = ours.Zip(truth).Count(p => p.First.Function == p.Second || (p.First.Path is not null && SymbolAliases.At(p.First.Path, p.First.Start).Contains(p.Second)));
            output.WriteLine($"thread {id}{(id == crashingId ? " (crashed)" : "")}: {equal} of {truth.Count} frames equal gdb's");
            output.WriteLine("ours: " + string.Join(", ", ours.Select(f => f.Function)));
            output.WriteLine("gdb:  " + string.Join(", ", truth));
            Assert.Equal(truth.Count, equal);
        }
    }

    private static ulong Hex(JsonElement e) => Convert.ToUInt64(e.GetString()![2..], 16);
}
