using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Store;

/// <summary>report.json: everything about a report but its files, which lie beside it in the report's folder.</summary>
public sealed class ReportManifest
{
    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string EventType { get; set; } = "";
    public WerReportType ReportType { get; set; }
    public string ApplicationName { get; set; } = "";
    public string? ApplicationPath { get; set; }
    public string? Description { get; set; }
    public string? FriendlyEventName { get; set; }
    public DateTimeOffset Created { get; set; } = DateTimeOffset.UtcNow;
    public List<ReportParameter> Parameters { get; set; } = [];
    public List<ReportFile> Files { get; set; } = [];
    public string? BucketId { get; set; }
    /// <summary>/etc/machine-id, with WER_SUBMIT_REPORT_MACHINE_ID.</summary>
    public string? MachineId { get; set; }
    public int UploadAttempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>P0..P9.</summary>
public sealed class ReportParameter
{
    public int Index { get; set; }
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>A file of the report, kept in its folder under <see cref="Name"/>: an added file or a dump.</summary>
public sealed class ReportFile
{
    public string Name { get; set; } = "";
    public WerFileType Type { get; set; }
    public WerFileFlags Flags { get; set; }
    public string? OriginalPath { get; set; }
    /// <summary>For dumps: WerReportAddDump's flags (NOHEAP_ONQUEUE).</summary>
    public WerDumpFlags DumpFlags { get; set; }
}
