using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Reports;

/// <summary>A thread with its walked stack, as the reports show it.</summary>
public sealed record ThreadReport(DumpThread Thread, CallStack Stack, bool IsCrashing);
