using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Tests;

/// <summary>`wer reports list|show|send|delete`: a report queued while the server was down is sent later.</summary>
public sealed class ReportsCliTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly ReportContext _c = new();
    private readonly TestServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _c.Dispose();
    }

    private Tool.Result Reports(params string[] args) => Tool.Run(Wer, ["reports", .. args, "--store", _c.Store]);

    [Fact]
    public async Task AQueuedReportIsSentLaterAndArchived()
    {
        var down = TestServer.Down;
        string id;
        using (var report = _c.NewReport(down))
        {
            id = report.Id;
            report.AddDump(_c.Target.Pid, null, WerDumpType.HeapDump);
            Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        }
        var list = Reports("list");
        Assert.Contains($"{id}  queued", list.Output);

        var show = Reports("show", id[..8]);
        Assert.Contains("P0 AppName = target", show.Output);
        Assert.Contains("server unreachable", show.Output);

        var failed = Reports("send", "--server", down.ToString());
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains($"{id}  queued", Reports("list").Output);

        _server.Want = "mini";
        var sent = Reports("send", "--server", _server.Address.ToString());
        Assert.True(sent.ExitCode == 0, sent.All);
        Assert.Contains($"{id}: Uploaded (bucket b-42)", sent.Output);
        Assert.Equal("mini", Assert.Single(_server.Dumps).Type); // derived from the heap dump
        Assert.Contains($"{id}  archived", Reports("list").Output);

        Assert.Equal(0, Reports("delete", id).ExitCode);
        Assert.Contains("no reports", Reports("list").Output);
        Assert.Equal(2, Reports("show", id).ExitCode);
    }
}
