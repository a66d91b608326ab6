using OpenWer.Format.Writing;

namespace OpenWer.Dumps;

/// <summary>What a dump produced, and how long the target was stopped for it.</summary>
public sealed record DumpResult(string Path, long Size, int ThreadCount, int ModuleCount, TimeSpan TargetStopped, IReadOnlyList<MemoryRange> UnreadableRanges);
