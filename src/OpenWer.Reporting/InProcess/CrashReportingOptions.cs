using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.InProcess;

/// <summary>What an application asks of crash reporting.</summary>
public sealed record CrashReportingOptions(ReportingOptions Reporting)
{
    public string EventType { get; init; } = "CLR20r3";
    public WerDumpType DumpType { get; init; } = WerDumpType.MiniDump;
    public WerDumpFlags DumpFlags { get; init; } = WerDumpFlags.None;
    public WerConsent Consent { get; init; } = WerConsent.Approved;
    public WerSubmitFlags SubmitFlags { get; init; } = WerSubmitFlags.None;
    /// <summary>The LocalDumps settings: when the file exists (the LocalDumps key is present), a local dump is written first.</summary>
    public string LocalDumpsSettings { get; init; } = "/etc/openwer/localdumps.ini";
}
