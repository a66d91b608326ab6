using System.Buffers.Binary;
using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// `wer analyze` on folders of dumps: grouped by signature with counts, the first and last dump times (MINIDUMP_HEADER's
/// TimeDateStamp, read here from the files' bytes), an example each; a report store's queue/ and archive/ read in place;
/// a file that is not a minidump reported while the rest are analyzed, and a failure only when nothing could be read.
/// </summary>
[Collection(SignatureDumpsCollection.Name)]
public sealed class GroupingTests(SignatureDumps dumps, ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The three null-write and three libc-strlen dumps, each in a folder of its own under one folder.</summary>
    private string SixDumps()
    {
        string root = _dir.File("six");
        foreach (var mode in new[] { "null-write", "libc-strlen" })
            foreach (var (dump, i) in dumps.Dumps[mode].Select((d, i) => (d, i)))
            {
                string folder = Path.Combine(root, mode, $"run-{i}");
                Directory.CreateDirectory(folder);
                File.Copy(dump, Path.Combine(folder, "crash.dmp"));
            }
        return root;
    }

    [Fact]
    public void SixDumpsFromTwoPlacesMakeTwoGroupsOfThreeWithTheirHeaderTimes()
    {
        string folder = SixDumps();
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", folder]);
        Assert.True(r.ExitCode == 0, r.All);
        output.WriteLine(r.Output);
        using var json = JsonDocument.Parse(r.Output);
        var root = json.RootElement;
        Assert.Equal(6, root.GetProperty("dump_count").GetInt32());
        var groups = root.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal([3, 3], groups.Select(g => g.GetProperty("count").GetInt32()));
        Assert.Equal(["strlen | measure", "write_record"], groups.Select(g => g.GetProperty("signature").GetString()).Order(StringComparer.Ordinal));
        foreach (var g in groups)
        {
            var files = g.GetProperty("dumps").EnumerateArray().Select(d => d.GetString()!).ToList();
            // Each group holds the dumps of one crash place: one folder of the fixture's runs.
            Assert.Single(files.Select(f => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(f)))).Distinct());
            var times = files.Select(HeaderTime).ToList();
            Assert.Equal(times.Min(), g.GetProperty("first_timestamp").GetInt64());
            Assert.Equal(times.Max(), g.GetProperty("last_timestamp").GetInt64());
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(times.Min()), g.GetProperty("first_time").GetDateTimeOffset());
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(times.Max()), g.GetProperty("last_time").GetDateTimeOffset());
            Assert.Contains(g.GetProperty("example").GetString(), files);
            // One build of the application: readelf's build-id of the fixture.
            Assert.Equal([ReadElf.BuildId(dumps.Binary)], g.GetProperty("app_build_ids").EnumerateArray().Select(v => v.GetString()));
            Assert.Single(g.GetProperty("buckets").EnumerateArray());
        }
        Assert.Empty(root.GetProperty("unreadable").EnumerateArray());

        // The table: one row per group with its count, the example named.
        var text = Tool.Run(CrashFixture.Wer, ["analyze", folder]);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.StartsWith("6 dump(s) in 2 group(s)\n", text.Output);
        Assert.Matches(@"\n\s+3  \S+ \S+  \S+ \S+  build [0-9a-f]{12}\s+strlen \| measure\n", text.Output);
        Assert.Matches(@"\n\s+3  \S+ \S+  \S+ \S+  build [0-9a-f]{12}\s+write_record\n", text.Output);
        Assert.Equal(2, text.Output.Split("example: ").Length - 1);
    }

    [Fact]
    public void SeveralDumpArgumentsAreGroupedToo()
    {
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", .. dumps.Dumps["abort"], dumps.Dumps["null-write"][0]]);
        Assert.True(r.ExitCode == 0, r.All);
        using var json = JsonDocument.Parse(r.Output);
        var groups = json.RootElement.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal([("call_abort", 3), ("write_record", 1)], groups.Select(g => (g.GetProperty("signature").GetString(), g.GetProperty("count").GetInt32())));
    }

    [Fact]
    public void AReportStoresQueueAndArchiveAreReadInPlaceAndBuildingIsLeftAlone()
    {
        // The store's layout (src/OpenWer.Reporting/Store/ReportStore.cs): one folder per report, its dump beside report.json.
        string store = _dir.File("store");
        var placed = new[] { ("queue", "null-write", 0), ("queue", "null-write", 1), ("archive", "libc-strlen", 0), ("building", "libc-strlen", 1) };
        foreach (var (place, mode, i) in placed)
        {
            string report = Path.Combine(store, place, $"{mode}-{i}");
            Directory.CreateDirectory(report);
            File.WriteAllText(Path.Combine(report, "report.json"), "{}");
            File.Copy(dumps.Dumps[mode][i], Path.Combine(report, "minidump.dmp"));
        }
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", store]);
        Assert.True(r.ExitCode == 0, r.All);
        using var json = JsonDocument.Parse(r.Output);
        var groups = json.RootElement.GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("signature").GetString()!, g => g.GetProperty("dumps").EnumerateArray().Select(d => d.GetString()!).ToList());
        Assert.Equal(2, groups["write_record"].Count);
        Assert.All(groups["write_record"], d => Assert.StartsWith(Path.Combine(store, "queue") + "/", d));
        Assert.Equal([Path.Combine(store, "archive", "libc-strlen-0", "minidump.dmp")], groups["strlen | measure"]);
    }

    [Fact]
    public void AFileThatIsNotAMinidumpIsReportedAndTheRestAreAnalyzed()
    {
        string folder = SixDumps();
        string bad = Path.Combine(folder, "notes.dmp");
        File.WriteAllText(bad, "not a minidump\n");
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", folder]);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains(bad, r.Error);
        using var json = JsonDocument.Parse(r.Output);
        Assert.Equal(6, json.RootElement.GetProperty("dump_count").GetInt32());
        var unreadable = Assert.Single(json.RootElement.GetProperty("unreadable").EnumerateArray());
        Assert.Equal(bad, unreadable.GetProperty("path").GetString());
        Assert.Contains("not a readable minidump", unreadable.GetProperty("problem").GetString());

        var text = Tool.Run(CrashFixture.Wer, ["analyze", folder]);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"unreadable: {bad}: not a readable minidump", text.Output);
    }

    [Fact]
    public void NothingReadableFailsAndAnEmptyOrMissingFolderToo()
    {
        string folder = _dir.File("bad");
        Directory.CreateDirectory(folder);
        var empty = Tool.Run(CrashFixture.Wer, ["analyze", folder]);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("no dumps", empty.Error);

        File.WriteAllBytes(Path.Combine(folder, "a.dmp"), []);
        File.WriteAllBytes(Path.Combine(folder, "b.dmp"), File.ReadAllBytes(dumps.Dumps["abort"][0])[..100]);
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", folder]);
        Assert.Equal(1, r.ExitCode);
        using var json = JsonDocument.Parse(r.Output);
        Assert.Equal(2, json.RootElement.GetProperty("unreadable").GetArrayLength());
        Assert.Equal(0, json.RootElement.GetProperty("group_count").GetInt32());

        var missing = Tool.Run(CrashFixture.Wer, ["analyze", dumps.Dumps["abort"][0], _dir.File("absent")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such file or folder", missing.Error);
    }

    /// <summary>MINIDUMP_HEADER's TimeDateStamp: the u32 at offset 20 (after Signature, Version, NumberOfStreams, StreamDirectoryRva, CheckSum).</summary>
    private static long HeaderTime(string dump)
    {
        var header = new byte[32];
        using (var f = File.OpenRead(dump))
            f.ReadExactly(header);
        Assert.Equal(0x504D444Du, BinaryPrimitives.ReadUInt32LittleEndian(header));
        return BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20));
    }
}
