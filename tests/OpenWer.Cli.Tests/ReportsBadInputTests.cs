using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>`wer reports` on a report it does not hold or a server it cannot use: exit 2, said why, the store untouched.</summary>
public sealed class ReportsBadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Tool.Result Reports(params string[] args) => Wer.Run(["reports", .. args, "--store", _dir.Path]);

    [Theory]
    [InlineData("show")]
    [InlineData("delete")]
    public void AReportThatIsNotThereIsNamed(string verb)
    {
        var r = Reports(verb, "0123abcd");
        Wer.AssertFails(r, 2, $"no report 0123abcd in {_dir.Path}");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void SendWithAnEmptyServerSaysHowToGiveOne()
    {
        var r = Reports("send", "--server", "");
        Wer.AssertFails(r, 2, "give the collection server with --server URL");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("/relative/path")]
    public void SendToWhatIsNotAServerUrlSaysSo(string server)
    {
        var r = Reports("send", "--server", server);
        Wer.AssertFails(r, 2, $"the collection server \"{server}\" is not an http or https URL");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void AnEmptyStoreListsNothing()
    {
        var r = Reports("list");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"no reports in {_dir.Path}\n", r.Output);
    }
}
