using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Tests;

/// <summary>Queue and archive are bounded by count: the oldest reports go first.</summary>
public sealed class StoreBoundsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TheOldestQueuedAndArchivedReportsAreRemoved()
    {
        var options = new ReportingOptions(_dir.File("store"), null, MaxQueued: 3, MaxArchived: 2);
        var ids = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            using var report = WerReport.Create("Bounded", WerReportType.NonCritical, new WerReportInformation("app"), options);
            ids.Add(report.Id);
            Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.NotAsked, WerSubmitFlags.Queue));
            await Task.Delay(20); // distinct creation times
        }
        Assert.Equal(ids.Skip(2).Order(), Directory.GetDirectories(_dir.File("store/queue")).Select(Path.GetFileName).Order());

        for (int i = 0; i < 4; i++)
        {
            using var report = WerReport.Create("Bounded", WerReportType.NonCritical, new WerReportInformation("app"), options);
            ids.Add(report.Id);
            Assert.Equal(WerSubmitResult.ReportCancelled, await report.SubmitAsync(WerConsent.Denied, WerSubmitFlags.None));
            await Task.Delay(20);
        }
        Assert.Equal(ids.Skip(7).Order(), Directory.GetDirectories(_dir.File("store/archive")).Select(Path.GetFileName).Order());
    }
}
