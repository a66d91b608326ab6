using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Analysis.Elf;
using OpenWer.Analysis.Lines;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// A .debug_line whose bytes were overwritten in the file: `wer analyze` still succeeds and still names every frame
/// (from the symbol table), a broken header gives no lines and says why, and the reader itself, given the section
/// cut short or with bytes changed anywhere, never throws.
/// </summary>
public sealed partial class CorruptLineTableTests
{
    [Fact]
    public void ABrokenHeaderGivesNoLinesAndNoFailure()
    {
        using var dir = new TempDir();
        string binary = Copy(dir, "broken-header");
        var (offset, _) = DebugLine(binary);
        Overwrite(binary, offset + 4, [0xFF, 0xFF]); // the first unit's version
        var analysis = SourceFrames.AnalyzeAll(CrashFixture.Dump(binary, "null-write", "mini", dir));
        var own = analysis.Frames.Where(f => f.Module == Path.GetFileName(binary)).ToList();
        Assert.Equal(["write_record", "crash", "run", "main"], own.Select(f => f.Function).Take(4));
        Assert.All(own, f => Assert.Null(f.File));
        Assert.All(own, f => Assert.Null(f.Line));
        var module = analysis.Modules.Single(m => m.GetProperty("filename").GetString() == Path.GetFileName(binary));
        Assert.False(module.GetProperty("loaded_lines").GetBoolean());
        Assert.Contains("version 65535", module.GetProperty("line_source").GetString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AProgramOverwrittenWithNoiseGivesNoFailure(int seed)
    {
        using var dir = new TempDir();
        string binary = Copy(dir, "noise-" + seed.ToString(CultureInfo.InvariantCulture));
        var (offset, size) = DebugLine(binary);
        var noise = new byte[size / 2];
        new Random(seed).NextBytes(noise);
        Overwrite(binary, offset + size - noise.Length, noise);
        var analysis = SourceFrames.AnalyzeAll(CrashFixture.Dump(binary, "null-write", "mini", dir));
        Assert.Equal(["write_record", "crash", "run", "main"], analysis.Frames.Select(f => f.Function).Take(4));
    }

    [Fact]
    public void TheReaderNeverThrowsOnACutOrChangedSection()
    {
        string binary = CrashFixture.Binary("O2-nofp");
        using var elf = ElfFile.TryOpen(binary, out string? problem) ?? throw new InvalidOperationException(problem);
        byte[] lines = DebugSection.Read(elf, ".debug_line", out problem) ?? throw new InvalidOperationException(problem);
        byte[] lineStrings = DebugSection.Read(elf, ".debug_line_str", out _) ?? [];
        byte[] strings = DebugSection.Read(elf, ".debug_str", out _) ?? [];
        var intact = LineTable.Read(lines, lineStrings, strings);
        Assert.True(intact.RowCount > 0);
        Assert.Null(intact.Problem);
        // The intact table against gdb's `info line` at every byte of the fixture's functions.
        var addresses = FunctionRanges(binary).SelectMany(r => Enumerable.Range(0, (int)r.Size).Select(i => r.Start + (ulong)i)).ToList();
        Assert.True(addresses.Count > 100);
        var gdb = Tool.Run("gdb", ["-batch", "-nx", .. addresses.SelectMany(a => new[] { "-ex", $"info line *0x{a:x}" }), binary]);
        var answers = gdb.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(answers.Length == addresses.Count, gdb.All);
        for (int i = 0; i < addresses.Count; i++)
        {
            var m = InfoLine().Match(answers[i]);
            var ours = intact.Lookup(addresses[i]);
            Assert.True(m.Success == ours.HasValue, $"0x{addresses[i]:x}: gdb \"{answers[i]}\", ours {ours}");
            if (m.Success)
                Assert.Equal((m.Groups[2].Value, uint.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), (ours!.Value.File, ours.Value.Line));
        }
        for (int length = 0; length < lines.Length; length++)
            _ = LineTable.Read(lines.AsSpan(0, length), lineStrings, strings).Lookup(0x1200);
        var random = new Random(11);
        for (int i = 0; i < 3000; i++)
        {
            var changed = (byte[])lines.Clone();
            for (int k = random.Next(1, 8); k > 0; k--)
                changed[random.Next(changed.Length)] = (byte)random.Next(256);
            var table = LineTable.Read(changed, lineStrings.AsSpan(0, random.Next(lineStrings.Length + 1)), strings);
            _ = table.Lookup((ulong)random.Next(0x1000, 0x2000));
        }
    }

    /// <summary>The fixture's own functions (start, size), as readelf lists them.</summary>
    private static IEnumerable<(ulong Start, ulong Size)> FunctionRanges(string binary)
    {
        foreach (var line in Tool.Run("readelf", ["-sW", binary]).Output.Split('\n'))
        {
            var c = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (c.Length >= 8 && c[3] == "FUNC" && c[6] != "UND" && c[7] is "write_record" or "call_function" or "crash" or "run" or "main" or "recurse" or "measure" or "raise_usr1" or "on_usr1")
                yield return (Convert.ToUInt64(c[1], 16), ulong.Parse(c[2], CultureInfo.InvariantCulture));
        }
    }

    private static string Copy(TempDir dir, string name)
    {
        string binary = dir.File("analyze-crashes-" + name);
        File.Copy(CrashFixture.Binary("O2-nofp"), binary);
        File.SetUnixFileMode(binary, File.GetUnixFileMode(binary) | UnixFileMode.UserExecute);
        return binary;
    }

    private static (long Offset, int Size) DebugLine(string binary)
    {
        var m = SectionLine().Match(Tool.Run("readelf", ["-S", "-W", binary]).Output);
        Assert.True(m.Success, "no .debug_line in " + binary);
        return (Convert.ToInt64(m.Groups[1].Value, 16), Convert.ToInt32(m.Groups[2].Value, 16));
    }

    private static void Overwrite(string path, long offset, byte[] bytes)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(bytes);
    }

    // 'Line 34 of "/path/analyze-crashes.c" starts at address 0x1210 <write_record> and ends at 0x121b <write_record+11>.'
    [GeneratedRegex("^Line (\\d+) of \"(.+)\" (?:starts at|is at)")]
    private static partial Regex InfoLine();

    [GeneratedRegex(@"\] \.debug_line\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)")]
    private static partial Regex SectionLine();
}
