namespace OpenWer.LocalDumps.Collection;

/// <summary>What a collection did: the dump written (or why none was), and the old dumps removed to keep DumpCount.</summary>
public sealed record CollectionResult(string? DumpPath, string? Skipped, IReadOnlyList<string> Removed);
