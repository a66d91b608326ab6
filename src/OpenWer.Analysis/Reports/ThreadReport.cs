using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Reports;

/// <summary>A thread with its walked stack (managed frames merged in), as the reports show it, and what the .NET runtime knows of it.</summary>
public sealed record ThreadReport(DumpThread Thread, CallStack Stack, bool IsCrashing, Managed.ManagedThread? Managed = null);
