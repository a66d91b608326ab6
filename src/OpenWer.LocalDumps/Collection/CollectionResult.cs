namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// What a collection did: the dump written (or why none was), the old dumps removed to keep DumpCount, and what
/// went wrong without costing the dump (an old dump that could not be removed, a lock not free in time).
/// </summary>
public sealed record CollectionResult(string? DumpPath, string? Skipped, IReadOnlyList<string> Removed)
{
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
