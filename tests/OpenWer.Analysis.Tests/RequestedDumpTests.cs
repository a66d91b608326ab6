using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>A dump taken of a running process (`wer dump`) says it was requested, not crashed, and still walks its threads.</summary>
public sealed class RequestedDumpTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ARequestedDumpSaysSoAndWalksItsThreads()
    {
        using var target = new NativeTarget(threads: 2);
        string dump = _dir.File("requested.dmp");
        var d = Tool.Run(CrashFixture.Wer, ["dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", dump]);
        Assert.True(d.ExitCode == 0, d.All);

        var text = Tool.Run(CrashFixture.Wer, ["analyze", dump]);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("the dump was requested", text.Output);
        Assert.DoesNotContain("(crashed)", text.Output);

        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", "--all-threads", dump]);
        using var json = JsonDocument.Parse(r.Output);
        var crash = json.RootElement.GetProperty("crash_info");
        Assert.Equal("DUMP_REQUESTED", crash.GetProperty("type").GetString());
        Assert.Equal("dump-requested", crash.GetProperty("reason").GetString());
        // Every thread of the target (by /proc) is there, and the main thread's walk reaches main.
        var ids = json.RootElement.GetProperty("threads").EnumerateArray().Select(t => t.GetProperty("thread_id").GetInt32()).Order().ToList();
        Assert.Equal(target.TaskIds(), ids);
        var main = json.RootElement.GetProperty("threads").EnumerateArray().Single(t => t.GetProperty("thread_id").GetInt32() == target.Pid);
        Assert.Contains(main.GetProperty("frames").EnumerateArray(), f => f.GetProperty("function").GetString() == "main");
    }
}
