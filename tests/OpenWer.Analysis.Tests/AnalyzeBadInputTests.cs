using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>`wer analyze` on what is not a readable minidump: a clear message and a non-zero exit, no stack trace.</summary>
public sealed class AnalyzeBadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AMissingFileIsAUsageError()
    {
        var r = Tool.Run(CrashFixture.Wer, ["analyze", _dir.File("absent.dmp")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no such file", r.Error);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("empty")]
    [InlineData("truncated")]
    public void AFileThatIsNotAWholeMinidumpFailsClearly(string kind)
    {
        string path = _dir.File(kind + ".dmp");
        switch (kind)
        {
            case "text": File.WriteAllText(path, "this is not a minidump, it only has a .dmp name\n"); break;
            case "empty": File.WriteAllBytes(path, []); break;
            default:
                var whole = File.ReadAllBytes(CrashFixture.Dump(CrashFixture.Binary("O2-nofp"), "null-write", "mini", _dir));
                File.WriteAllBytes(path, whole[..(whole.Length / 3)]);
                break;
        }
        var r = Tool.Run(CrashFixture.Wer, ["analyze", path]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is not a readable minidump", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
        Assert.Equal("", r.Output);
    }
}
