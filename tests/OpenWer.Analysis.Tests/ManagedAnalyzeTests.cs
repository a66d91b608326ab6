using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.Runtime;
using OpenWer.Analysis.Managed;
using OpenWer.Analysis.Modules;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// `wer analyze` on a dump of a .NET process that died of an unhandled exception: its managed frames, exception,
/// thread names and heap, against ClrMD reading the same dump in the test and against what the runtime itself printed.
/// </summary>
[Collection(ManagedCrashDumps.Collection)]
public sealed partial class ManagedAnalyzeTests(ManagedCrashDumps dumps)
{
    [Theory]
    [InlineData("heap")]
    [InlineData("full")]
    public void TheCrashingThreadsManagedFramesAreTheRuntimesInOrderAfterItsNativeOnes(string type)
    {
        string dump = type == "heap" ? dumps.HeapDump : dumps.FullDump;
        using var json = Analyze(dump);
        var crashing = json.RootElement.GetProperty("crashing_thread");
        var frames = crashing.GetProperty("frames").EnumerateArray().ToList();
        var managed = frames.Where(f => f.GetProperty("trust").GetString() == "managed").Select(f => f.GetProperty("function").GetString()).ToList();

        // ClrMD's own walk of the same thread, and the frames the runtime printed when the exception went unhandled.
        Assert.Equal(OracleFrames(dump, crashing.GetProperty("thread_id").GetUInt32()), managed);
        var printed = PrintedTrace(dumps.RuntimeReport);
        Assert.Equal(["Program.Inner", "Program.Middle", "Program.Outer", "Program.Main"], printed);
        Assert.Equal(printed, managed.Take(printed.Count));
        // The native frames of the abort come first (deeper in the stack: lower), the managed callers after them.
        int abort = frames.FindIndex(f => f.GetProperty("function").GetString()?.StartsWith("abort", StringComparison.Ordinal) == true);
        int inner = frames.FindIndex(f => f.GetProperty("function").GetString() == "Program.Inner");
        Assert.True(abort >= 0 && abort < inner, $"abort at #{abort}, Program.Inner at #{inner}");
        Assert.Equal(Enumerable.Range(0, frames.Count), frames.Select(f => f.GetProperty("frame").GetInt32()));
        var innerFrame = frames[inner];
        Assert.Equal("ManagedCrash.dll", innerFrame.GetProperty("module").GetString());
        Assert.Equal("ManagedCrash.dll", innerFrame.GetProperty("assembly").GetString());
        Assert.Equal(JsonValueKind.Number, innerFrame.GetProperty("il_offset").ValueKind);
        // No native frame left without a module where a managed one now stands: JIT code is told by the runtime.
        Assert.DoesNotContain(frames.Skip(inner), f => f.GetProperty("trust").GetString() != "managed" && f.GetProperty("module").ValueKind == JsonValueKind.Null
            && ClrMdKnowsMethodAt(dump, Convert.ToUInt64(f.GetProperty("offset").GetString(), 16)));
    }

    [Fact]
    public void AnotherThreadsManagedFramesAreClrMdsToo()
    {
        using var json = Analyze(dumps.HeapDump);
        var sleeper = json.RootElement.GetProperty("threads").EnumerateArray().Single(t => t.GetProperty("managed_thread_name").GetString() == "owr-sleeper");
        var managed = sleeper.GetProperty("frames").EnumerateArray().Where(f => f.GetProperty("trust").GetString() == "managed")
            .Select(f => f.GetProperty("function").GetString()).ToList();
        var oracle = OracleFrames(dumps.HeapDump, sleeper.GetProperty("thread_id").GetUInt32());
        Assert.Contains("System.Threading.Thread.Sleep", oracle);
        Assert.Equal(oracle, managed);
    }

    [Fact]
    public void TheManagedExceptionIsTheOneThrownWithItsInnerException()
    {
        using var json = Analyze(dumps.HeapDump);
        var dotnet = json.RootElement.GetProperty("dotnet");
        var exception = dotnet.GetProperty("exception");
        Assert.Equal(json.RootElement.GetProperty("crash_info").GetProperty("crashing_thread").GetUInt32(), dotnet.GetProperty("exception_thread").GetUInt32());
        // The runtime's printout: "Unhandled exception. TYPE: MESSAGE" and " ---> INNER-TYPE: INNER-MESSAGE".
        var head = UnhandledLine().Match(dumps.RuntimeReport);
        var innerLine = InnerLine().Match(dumps.RuntimeReport);
        Assert.True(head.Success && innerLine.Success, dumps.RuntimeReport);
        Assert.Equal(head.Groups[1].Value, exception.GetProperty("type").GetString());
        Assert.Equal(head.Groups[2].Value.TrimEnd(), exception.GetProperty("message").GetString());
        var inner = exception.GetProperty("inner");
        Assert.Equal(innerLine.Groups[1].Value, inner.GetProperty("type").GetString());
        Assert.Equal(innerLine.Groups[2].Value.TrimEnd(), inner.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, inner.GetProperty("inner").ValueKind);
        // COR_E_ARGUMENT is E_INVALIDARG; a plain Exception's HResult is COR_E_EXCEPTION.
        Assert.Equal("0x80070057", inner.GetProperty("hresult").GetString());
        Assert.Equal("0x80131500", exception.GetProperty("hresult").GetString());
        var trace = exception.GetProperty("stack_trace").EnumerateArray().Select(f => f.GetProperty("function").GetString()).ToList();
        Assert.Equal(PrintedTrace(dumps.RuntimeReport), trace);

        using var dt = DataTarget.LoadDump(dumps.HeapDump, new DataTargetOptions { SymbolPaths = [] });
        using var runtime = dt.ClrVersions.Single().CreateRuntime(Dac, ignoreMismatch: true);
        var thrown = runtime.Threads.Single(t => t.OSThreadId == dotnet.GetProperty("exception_thread").GetUInt32()).CurrentException!;
        Assert.Equal($"0x{thrown.Address:x16}", exception.GetProperty("address").GetString());

        var text = Tool.Run(CrashFixture.Wer, ["analyze", dumps.HeapDump]);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains($"{head.Groups[1].Value}: {head.Groups[2].Value.TrimEnd()} (HResult 0x80131500)", text.Output);
        Assert.Contains("at Program.Inner in ManagedCrash.dll", text.Output);
    }

    [Fact]
    public void ThreadSummariesNameTheManagedThreadsAsTheirThreadObjectsDo()
    {
        // The oracle: every System.Threading.Thread object on the heap, walked by ClrMD (not through the handle table).
        using var dt = DataTarget.LoadDump(dumps.HeapDump, new DataTargetOptions { SymbolPaths = [] });
        using var runtime = dt.ClrVersions.Single().CreateRuntime(Dac, ignoreMismatch: true);
        var named = runtime.Heap.EnumerateObjects().Where(o => o.Type?.Name == "System.Threading.Thread")
            .Select(o => (Id: o.ReadField<int>("_managedThreadId"), Name: o.ReadStringField("_name"))).Where(t => t.Name is not null)
            .ToDictionary(t => t.Id, t => t.Name);
        Assert.Contains("owr-main-thread-with-a-long-name", named.Values);
        Assert.Contains("owr-sleeper", named.Values);

        using var json = Analyze(dumps.HeapDump);
        var threads = json.RootElement.GetProperty("threads").EnumerateArray().Where(t => t.GetProperty("managed_thread_id").ValueKind == JsonValueKind.Number).ToList();
        foreach (var t in threads)
        {
            int id = t.GetProperty("managed_thread_id").GetInt32();
            Assert.Equal(named.GetValueOrDefault(id), t.GetProperty("managed_thread_name").GetString());
            uint os = t.GetProperty("thread_id").GetUInt32();
            Assert.Equal(runtime.Threads.Single(c => c.OSThreadId == os).ManagedThreadId, id);
        }
        Assert.Equal(named.Count, threads.Count(t => t.GetProperty("managed_thread_name").ValueKind == JsonValueKind.String));
        Assert.Equal("owr-main-thread-with-a-long-name", json.RootElement.GetProperty("crashing_thread").GetProperty("managed_thread_name").GetString());

        var text = Tool.Run(CrashFixture.Wer, ["analyze", dumps.HeapDump]);
        Assert.Matches(@"thread \d+ ""owr-sleeper"" \[managed thread \d+ ""owr-sleeper""\]: \d+ frames", text.Output);
        Assert.Matches(@"thread \d+ ""[^""]*"" \[managed thread 1 ""owr-main-thread-with-a-long-name""\] \(crashed\)", text.Output);
    }

    [Theory]
    [InlineData("heap")]
    [InlineData("full")]
    public void HeapStatisticsCountTheFixturesWidgetsAsClrMdDoes(string type)
    {
        string dump = type == "heap" ? dumps.HeapDump : dumps.FullDump;
        using var dt = DataTarget.LoadDump(dump, new DataTargetOptions { SymbolPaths = [] });
        using var runtime = dt.ClrVersions.Single().CreateRuntime(Dac, ignoreMismatch: true);
        var oracle = runtime.Heap.EnumerateObjects().Where(o => o.Type is not null).GroupBy(o => o.Type!.Name ?? "")
            .ToDictionary(g => g.Key, g => (Count: g.LongCount(), Size: g.Aggregate(0UL, (s, o) => s + o.Size)));

        using var json = Analyze(dump, "--heap");
        var heap = json.RootElement.GetProperty("dotnet").GetProperty("heap");
        Assert.Equal(JsonValueKind.Null, heap.GetProperty("problem").ValueKind);
        var types = heap.GetProperty("types").EnumerateArray().ToList();
        var widget = Assert.Single(types, t => t.GetProperty("type").GetString() == "Widget");
        Assert.Equal(ManagedCrashDumps.Widgets, widget.GetProperty("count").GetInt64());
        Assert.Equal(oracle["Widget"].Size, widget.GetProperty("total_size").GetUInt64());
        foreach (var name in new[] { "System.String", "Widget[]", "WidgetFailureException", "System.ArgumentException" })
        {
            var line = Assert.Single(types, t => t.GetProperty("type").GetString() == name);
            Assert.Equal(oracle[name].Count, line.GetProperty("count").GetInt64());
            Assert.Equal(oracle[name].Size, line.GetProperty("total_size").GetUInt64());
        }
        Assert.Equal(oracle.Values.Sum(v => v.Count), heap.GetProperty("object_count").GetInt64());
        var sizes = types.Select(t => t.GetProperty("total_size").GetUInt64()).ToList();
        Assert.Equal(sizes.OrderDescending(), sizes);

        var text = Tool.Run(CrashFixture.Wer, ["analyze", "--heap", dump]);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Matches($@"\n  0x[0-9a-f]{{16}} +{ManagedCrashDumps.Widgets} +{oracle["Widget"].Size} Widget\n", text.Output);
    }

    [Fact]
    public void AMiniDumpSaysTheHeapIsNotInIt()
    {
        using var json = Analyze(dumps.MiniDump, "--heap");
        var heap = json.RootElement.GetProperty("dotnet").GetProperty("heap");
        Assert.Contains("not in the dump", heap.GetProperty("problem").GetString());
        Assert.Empty(heap.GetProperty("types").EnumerateArray());
        var text = Tool.Run(CrashFixture.Wer, ["analyze", "--heap", dumps.MiniDump]);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("managed heap: the GC heap is not in the dump", text.Output);
    }

    [Fact]
    public void AGivenDacThatDoesNotExistIsAUsageError()
    {
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--dac", "/nonexistent/libmscordaccore.so", dumps.HeapDump]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--dac /nonexistent/libmscordaccore.so: no such file", r.Error);
    }

    [Fact]
    public void AGivenDacIsUsed()
    {
        using var json = Analyze(dumps.HeapDump, "--dac", Dac);
        Assert.Equal(Dac, json.RootElement.GetProperty("dotnet").GetProperty("dac").GetString());
        Assert.Contains(json.RootElement.GetProperty("crashing_thread").GetProperty("frames").EnumerateArray(), f => f.GetProperty("function").GetString() == "Program.Inner");
    }

    [Fact]
    public void WithoutTheRuntimesBuildOnThisMachineTheNeededBuildIdIsNamed()
    {
        // The dump's runtime, as if it were of a build this machine does not have: its build-id turned around.
        using var dump = CrashDump.Open(dumps.HeapDump);
        var runtime = DotNetRuntimeModule.Find(dump.Modules)!;
        Assert.Equal(ReadElf.BuildId(Path.Combine(dumps.RuntimeFolder, "libcoreclr.so")), runtime.CodeId);
        Assert.Equal(Dac, DacLocator.Find(runtime, null).Path);
        var other = runtime with { BuildId = [.. runtime.BuildId!.Reverse()], Path = "/gone/shared/Microsoft.NETCore.App/10.0.99/libcoreclr.so" };
        var lookup = DacLocator.Find(other, null);
        Assert.Null(lookup.Path);
        Assert.Contains(".NET runtime 10.0.99", lookup.Problem);
        Assert.Contains(Convert.ToHexStringLower(other.BuildId!), lookup.Problem);
    }

    private string Dac => Path.Combine(dumps.RuntimeFolder, "libmscordaccore.so");

    private static JsonDocument Analyze(string dump, params string[] options)
    {
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", .. options, dump]);
        Assert.True(r.ExitCode == 0, r.All);
        return JsonDocument.Parse(r.Output);
    }

    /// <summary>ClrMD's managed frames of one thread of the dump: Type.Method of each frame with a method, innermost first.</summary>
    private List<string?> OracleFrames(string dump, uint osThreadId)
    {
        using var dt = DataTarget.LoadDump(dump, new DataTargetOptions { SymbolPaths = [] });
        using var runtime = dt.ClrVersions.Single().CreateRuntime(Dac, ignoreMismatch: true);
        return runtime.Threads.Single(t => t.OSThreadId == osThreadId).EnumerateStackTrace()
            .Where(f => f.Kind == ClrStackFrameKind.ManagedMethod && f.Method is not null)
            .Select(f => (string?)$"{f.Method!.Type.Name}.{f.Method.Name}").ToList();
    }

    private bool ClrMdKnowsMethodAt(string dump, ulong address)
    {
        using var dt = DataTarget.LoadDump(dump, new DataTargetOptions { SymbolPaths = [] });
        using var runtime = dt.ClrVersions.Single().CreateRuntime(Dac, ignoreMismatch: true);
        return runtime.GetMethodByInstructionPointer(address - 1) is not null;
    }

    /// <summary>The frames of the runtime's own printout of the unhandled exception ("   at Type.Method(args) in file:line").</summary>
    private static List<string?> PrintedTrace(string stderr) =>
        [.. TraceLine().Matches(stderr).Select(m => (string?)m.Groups[1].Value)];

    [GeneratedRegex(@"^   at ([^\s(]+)\(", RegexOptions.Multiline)]
    private static partial Regex TraceLine();

    [GeneratedRegex(@"^Unhandled exception\. ([^\s:]+): (.*)$", RegexOptions.Multiline)]
    private static partial Regex UnhandledLine();

    [GeneratedRegex(@"^ ---> ([^\s:]+): (.*)$", RegexOptions.Multiline)]
    private static partial Regex InnerLine();
}
