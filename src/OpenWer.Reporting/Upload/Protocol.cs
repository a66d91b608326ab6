namespace OpenWer.Reporting.Upload;

// The wire protocol with the collection server (docs/report-protocol.md).

/// <summary>Stage one: the bucket parameters, and what the report holds.</summary>
public sealed class StageOneRequest
{
    public string ReportId { get; set; } = "";
    public string EventType { get; set; } = "";
    public string ReportType { get; set; } = "";
    public string ApplicationName { get; set; } = "";
    public string? ApplicationPath { get; set; }
    public List<string> Parameters { get; set; } = [];
    public List<string> ParameterNames { get; set; } = [];
    /// <summary>With WER_SUBMIT_REPORT_MACHINE_ID: the machine's id.</summary>
    public string? MachineId { get; set; }
    /// <summary>"mini" and/or "heap": what the client could send.</summary>
    public List<string> Dumps { get; set; } = [];
}

/// <summary>Stage one's answer: the bucket, and the data the server wants for it.</summary>
public sealed class StageOneResponse
{
    public string BucketId { get; set; } = "";
    /// <summary>"none", "mini" or "heap".</summary>
    public string Want { get; set; } = "none";
    /// <summary>Whether the server wants the report's other files (user documents, logs).</summary>
    public bool WantFiles { get; set; }
}
