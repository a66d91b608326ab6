using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Tests;

/// <summary>A running native target and a report store for one test.</summary>
public sealed class ReportContext : IDisposable
{
    public NativeTarget Target { get; } = new(threads: 4);
    public TempDir Dir { get; } = new();
    public string Store => Dir.File("store");

    public ReportingOptions Options(Uri? server) => new(Store, server)
    {
        UploadAttempts = 2,
        FirstRetryDelay = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(2),
    };

    public WerReport NewReport(Uri? server, WerReportType type = WerReportType.ApplicationCrash)
    {
        var report = WerReport.Create("OpenWerTestEvent", type, new WerReportInformation("target", "/tmp/target", "a test report"), Options(server));
        report.SetParameter(0, "AppName", "target");
        report.SetParameter(1, null, "1.0");
        return report;
    }

    public string[] Queued() => Directory.Exists(Path.Combine(Store, "queue")) ? Directory.GetDirectories(Path.Combine(Store, "queue")) : [];

    public string[] Archived() => Directory.Exists(Path.Combine(Store, "archive")) ? Directory.GetDirectories(Path.Combine(Store, "archive")) : [];

    public void Dispose()
    {
        Target.Dispose();
        Dir.Dispose();
    }
}
