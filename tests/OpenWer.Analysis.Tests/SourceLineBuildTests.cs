using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// Source lines from the fixture built the ways a line table reaches a machine: DWARF 3, 4 and 5, debug sections
/// compressed by the linker (zlib, zstd) or by objcopy the old GNU way (.zdebug_*), and split into a separate file
/// found by .gnu_debuglink. readelf shows that the build is what it claims; gdb and addr2line give the truth.
/// </summary>
public sealed class SourceLineBuildTests(ITestOutputHelper output)
{
    private static readonly string Source = Path.Combine(RepoPaths.Root, "tests/fixtures/native/analyze-crashes.c");

    public static TheoryData<string> Builds() => ["dwarf3", "dwarf4", "dwarf5", "zlib", "zstd", "zdebug", "debuglink"];

    [Theory]
    [MemberData(nameof(Builds))]
    public void LinesEqualGdbsAndAddr2lines(string build)
    {
        using var dir = new TempDir();
        string binary = dir.File("analyze-crashes-" + build);
        string linesFile = Build(build, binary);
        var analysis = SourceFrames.AnalyzeAll(CrashFixture.Dump(binary, "null-write", "mini", dir));
        var gdb = GdbSourceFrames.Physical(GdbSourceFrames.Run(binary, "null-write"));
        Assert.True(SourceFrames.CompareWithGdb(analysis.Frames, gdb, unbounded: false, output) >= 4);

        string name = Path.GetFileName(binary);
        var own = analysis.Frames.Where(f => f.Module == name).ToList();
        Assert.Contains(own, f => f.Function == "main");
        foreach (var f in own.TakeWhile(f => f.Function != "_start"))
        {
            var truth = SourceFrames.Addr2Line(linesFile, SourceFrames.LookupOffset(f));
            Assert.True(truth is not null, $"addr2line has no line for {f.Function}");
            Assert.Equal(truth.Value, (f.File, f.Line ?? 0));
        }
        var module = analysis.Modules.Single(m => m.GetProperty("filename").GetString() == name);
        Assert.True(module.GetProperty("loaded_lines").GetBoolean());
        Assert.StartsWith(build == "debuglink" ? binary + ".debug" : binary, module.GetProperty("line_source").GetString());
    }

    [Fact]
    public void ADebugLinkWhoseCrcDiffersIsNotUsed()
    {
        using var dir = new TempDir();
        string binary = dir.File("analyze-crashes-badcrc");
        string debug = Build("debuglink", binary);
        // The same name and build-id, other bytes: not the file the link was made for.
        File.AppendAllText(debug, "\0");
        var analysis = SourceFrames.AnalyzeAll(CrashFixture.Dump(binary, "null-write", "mini", dir));
        var module = analysis.Modules.Single(m => m.GetProperty("filename").GetString() == Path.GetFileName(binary));
        Assert.False(module.GetProperty("loaded_lines").GetBoolean());
        Assert.Contains("CRC32 differs", module.GetProperty("symbol_source").GetString());
        Assert.All(analysis.Frames.Where(f => f.Module == Path.GetFileName(binary)), f => Assert.Null(f.File));
    }

    /// <summary>Builds the fixture one way; returns the file addr2line reads its line table from.</summary>
    private static string Build(string build, string binary)
    {
        string[] flags = build switch
        {
            "dwarf3" => ["-gdwarf-3"],
            "dwarf4" => ["-gdwarf-4"],
            "dwarf5" => ["-gdwarf-5"],
            "zlib" => ["-g", "-Wl,--compress-debug-sections=zlib"],
            "zstd" => ["-g", "-Wl,--compress-debug-sections=zstd"],
            _ => ["-g"],
        };
        Run("cc", ["-O2", "-fomit-frame-pointer", .. flags, "-o", binary, Source]);
        string sections = Run("readelf", ["-S", "-W", binary]);
        switch (build)
        {
            case "dwarf3" or "dwarf4" or "dwarf5":
                Assert.Contains($"DWARF Version:               {build[^1]}", Run("readelf", ["--debug-dump=rawline", binary]));
                return binary;
            case "zlib" or "zstd":
                Assert.Matches(@"\.debug_line\n\s+PROGBITS[^\n]*\n\s+\[[0-9a-f]+\]: COMPRESSED\n\s+" + build.ToUpperInvariant(),
                    Run("readelf", ["-t", "-W", binary]));
                return binary;
            case "zdebug":
                // addr2line does not read .zdebug_* sections: it is given the file as it was before objcopy compressed them.
                File.Copy(binary, binary + ".uncompressed");
                Run("objcopy", ["--compress-debug-sections=zlib-gnu", binary]);
                sections = Run("readelf", ["-S", "-W", binary]);
                Assert.Contains(".zdebug_line ", sections);
                Assert.DoesNotContain(".debug_line ", sections);
                return binary + ".uncompressed";
            default:
                string debug = binary + ".debug";
                Run("objcopy", ["--only-keep-debug", binary, debug]);
                Run("strip", ["--strip-all", binary]);
                Run("objcopy", [$"--add-gnu-debuglink={debug}", binary]);
                sections = Run("readelf", ["-S", "-W", binary]);
                Assert.Contains(".gnu_debuglink", sections);
                Assert.DoesNotContain(".debug_line", sections);
                Assert.DoesNotContain(".symtab", sections);
                return debug;
        }
    }

    private static string Run(string tool, string[] args)
    {
        var r = Tool.Run(tool, args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {r.All}");
        return r.Output;
    }
}
