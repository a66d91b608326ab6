using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>`wer analyze` of a .NET crash against SOS (dotnet-dump's clrstack, pe and dumpheap -stat) on the same dump made a core.</summary>
[Collection(ManagedCrashDumps.Collection)]
public sealed partial class ManagedAnalyzeAgainstSosTests(ManagedCrashDumps dumps) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("heap")]
    [InlineData("full")]
    public void FramesExceptionAndWidgetCountAreSoss(string type)
    {
        string dump = type == "heap" ? dumps.HeapDump : dumps.FullDump;
        string core = _dir.File(type + ".core");
        var c = Tool.Run(CrashFixture.Wer, ["convert", dump, "--to", "core", "-o", core]);
        Assert.True(c.ExitCode == 0, c.All);
        // The core's first thread is the crashing one: SOS's current thread.
        string sos = DotNetDump.Analyze(core, dumps.RuntimeFolder, "clrstack", "pe", "dumpheap -stat -type Widget");

        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", "--heap", dump]);
        Assert.True(r.ExitCode == 0, r.All);
        using var json = JsonDocument.Parse(r.Output);
        var ours = json.RootElement.GetProperty("crashing_thread").GetProperty("frames").EnumerateArray()
            .Where(f => f.GetProperty("trust").GetString() == "managed").Select(f => f.GetProperty("function").GetString()).ToList();
        Assert.Equal($"OS Thread Id: 0x{json.RootElement.GetProperty("crash_info").GetProperty("crashing_thread").GetUInt32():x}", OsThreadLine().Match(sos).Value.Split(" (")[0]);
        var clrstack = ClrStackFrame().Matches(sos).Select(m => (string?)m.Groups[1].Value).ToList();
        Assert.Contains("Program.Inner", clrstack);
        Assert.Equal(clrstack, ours);

        var exception = json.RootElement.GetProperty("dotnet").GetProperty("exception");
        Assert.Equal(Field(sos, "Exception type"), exception.GetProperty("type").GetString());
        Assert.Equal(Field(sos, "Message"), exception.GetProperty("message").GetString());
        Assert.Equal("0x" + Field(sos, "HResult").ToLowerInvariant(), exception.GetProperty("hresult").GetString());
        Assert.StartsWith(Field(sos, "InnerException").Split(',')[0], exception.GetProperty("inner").GetProperty("type").GetString());

        var stat = WidgetStat().Match(sos);
        Assert.True(stat.Success, sos);
        var widget = json.RootElement.GetProperty("dotnet").GetProperty("heap").GetProperty("types").EnumerateArray()
            .Single(t => t.GetProperty("type").GetString() == "Widget");
        Assert.Equal(long.Parse(stat.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture), widget.GetProperty("count").GetInt64());
        Assert.Equal(ulong.Parse(stat.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture), widget.GetProperty("total_size").GetUInt64());
        Assert.Equal(ManagedCrashDumps.Widgets, widget.GetProperty("count").GetInt64());
    }

    private static string Field(string sos, string name)
    {
        var m = Regex.Match(sos, $@"^{Regex.Escape(name)}:\s+(.*?)\s*$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no {name} in: {sos}");
        return m.Groups[1].Value;
    }

    // "00007FFF50E71EC0 00007F53E8693023 Program.Inner(Int32) [/path/Program.cs @ 45]"
    [GeneratedRegex(@"^[0-9A-Fa-f]{16} [0-9A-Fa-f]{16} ([^\s\[(]+)\(", RegexOptions.Multiline)]
    private static partial Regex ClrStackFrame();

    [GeneratedRegex(@"^OS Thread Id: 0x[0-9a-f]+", RegexOptions.Multiline)]
    private static partial Regex OsThreadLine();

    // "7f53e8746028 1,000    24,000 Widget"
    [GeneratedRegex(@"^\s*[0-9a-f]+\s+([\d,]+)\s+([\d,]+) Widget\s*$", RegexOptions.Multiline)]
    private static partial Regex WidgetStat();
}
