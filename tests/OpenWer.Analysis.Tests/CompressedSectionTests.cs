using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Analysis.Elf;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// A compressed .debug_line whose Elf64_Chdr lies about its size: a claim past the bound is refused before anything
/// is allocated, a claim off by one byte is caught by the stream, each with its reason; the true claim gives the
/// bytes objcopy writes when it decompresses the section.
/// </summary>
public sealed partial class CompressedSectionTests
{
    [Theory]
    [InlineData("zlib")]
    [InlineData("zstd")]
    public void ASizeClaimIsCheckedAgainstTheBoundAndTheStream(string method)
    {
        using var dir = new TempDir();
        string binary = dir.File("compressed-" + method);
        Run("cc", ["-O2", "-g", $"-Wl,--compress-debug-sections={method}", "-o", binary, Path.Combine(RepoPaths.Root, "tests/fixtures/native/analyze-crashes.c")]);
        string plain = dir.File("plain");
        Run("objcopy", ["--decompress-debug-sections", binary, plain]);
        Run("objcopy", [$"--dump-section=.debug_line={dir.File("line.bin")}", plain]);
        byte[] truth = File.ReadAllBytes(dir.File("line.bin"));
        Assert.NotEmpty(truth);

        Assert.Equal(truth, Read(binary, out string? problem));
        Assert.Null(problem);

        long chdr = SectionOffset(binary);
        Patch(binary, chdr + 8, 1L << 40);
        Assert.Null(Read(binary, out problem));
        Assert.Contains("claims 1099511627776 bytes decompressed, more than the 536870912 accepted", problem);

        Patch(binary, chdr + 8, truth.Length + 1);
        Assert.Null(Read(binary, out problem));
        Assert.Contains($"does not decompress to the {truth.Length + 1} bytes", problem);
    }

    private static byte[]? Read(string binary, out string? problem)
    {
        using var elf = ElfFile.TryOpen(binary, out problem) ?? throw new InvalidOperationException(problem);
        return DebugSection.Read(elf, ".debug_line", out problem);
    }

    private static long SectionOffset(string binary)
    {
        var m = SectionLine().Match(Run("readelf", ["-S", "-W", binary]));
        Assert.True(m.Success);
        return long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static void Patch(string path, long offset, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(bytes);
    }

    private static string Run(string tool, string[] args)
    {
        var r = Tool.Run(tool, args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {r.All}");
        return r.Output;
    }

    [GeneratedRegex(@"\] \.debug_line\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)\s")]
    private static partial Regex SectionLine();
}
