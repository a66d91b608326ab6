using System.Buffers.Binary;
using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>--flags is MINIDUMP_TYPE in hex, with or without 0x, in `wer dump` and `wer convert` alike; what is not refused with exit 2.</summary>
public sealed class FlagsArgumentTests(GcoreCore core) : IClassFixture<GcoreCore>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> BadFlags => new()
    {
        { "xyz", "not a hexadecimal number" },
        { "0x", "not a hexadecimal number" },
        { "", "not a hexadecimal number" },
        { "-1", "not a hexadecimal number" },
        { "0x-1", "not a hexadecimal number" },
        { "0x12g", "not a hexadecimal number" },
        { "0x10000000000000000", "not a hexadecimal number" }, // 65 bits
        { "0x4000000", "outside MiniDumpValidTypeFlags" },
        { "0x100000000", "outside MiniDumpValidTypeFlags" },
    };

    [Theory]
    [MemberData(nameof(BadFlags))]
    public void ConvertRefusesBadFlags(string flags, string says)
    {
        var r = Wer.Run("convert", core.Path, "--flags", flags, "-o", _dir.File("x.dmp"));
        Wer.AssertFails(r, 2, "wer convert:", says);
        Assert.DoesNotContain("(Parameter", r.Error);
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Theory]
    [MemberData(nameof(BadFlags))]
    public void DumpRefusesBadFlags(string flags, string says)
    {
        using var target = new NativeTarget(threads: 2);
        var r = Wer.Run("dump", target.Pid.ToString(CultureInfo.InvariantCulture), "--flags", flags, "-o", _dir.File("x.dmp"));
        Wer.AssertFails(r, 2, "wer dump:", says);
        Assert.DoesNotContain("(Parameter", r.Error);
        Wer.AssertNothingLeft(_dir.Path);
        target.AssertAlive();
    }

    [Theory]
    [InlineData("convert")]
    [InlineData("dump")]
    public void TypeAndFlagsTogetherAreRefused(string verb)
    {
        using var target = new NativeTarget(threads: 2);
        string input = verb == "convert" ? core.Path : target.Pid.ToString(CultureInfo.InvariantCulture);
        var r = Wer.Run(verb, input, "--type", "mini", "--flags", "0x121", "-o", _dir.File("x.dmp"));
        Wer.AssertFails(r, 2, "give --type or --flags, not both");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Theory]
    [InlineData("0x121")]
    [InlineData("0X121")]
    [InlineData("121")]
    [InlineData("0x0000121")]
    public void HexWithOrWithout0xIsTheSameFlags(string flags)
    {
        string dump = _dir.File("x.dmp");
        var r = Wer.Run("convert", core.Path, "--flags", flags, "-o", dump);
        Assert.True(r.ExitCode == 0, r.All);
        // MINIDUMP_HEADER.Flags, read from the file's bytes (offset 24, 64 bits): what the writer was given.
        var header = File.ReadAllBytes(dump).AsSpan(0, 32);
        Assert.Equal(0x504D444Du, BinaryPrimitives.ReadUInt32LittleEndian(header)); // "MDMP"
        Assert.Equal(0x121ul, BinaryPrimitives.ReadUInt64LittleEndian(header[24..]));
    }

    [Theory]
    [InlineData("zz", "expected ADDRESS:SIZE")]
    [InlineData("zz:10", "\"zz\" is not hexadecimal")]
    [InlineData("0x1000:0xq", "\"0xq\" is not hexadecimal")]
    public void DumpRefusesBadIncludeMemory(string range, string says)
    {
        using var target = new NativeTarget(threads: 2);
        var r = Wer.Run("dump", target.Pid.ToString(CultureInfo.InvariantCulture), "--include-memory", range, "-o", _dir.File("x.dmp"));
        Wer.AssertFails(r, 2, "--include-memory", says);
        Wer.AssertNothingLeft(_dir.Path);
        target.AssertAlive();
    }
}
