using OpenWer.Analysis.Signatures;

namespace OpenWer.Analysis.Grouping;

/// <summary>What grouping keeps of one dump once it is closed: where it is, when it was written, its signature, its application's build.</summary>
public sealed record DumpSummary(string Path, DateTimeOffset Time, CrashSignature Signature, string? AppBuildId);
