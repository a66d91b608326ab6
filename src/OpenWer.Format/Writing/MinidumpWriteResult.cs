namespace OpenWer.Format.Writing;

/// <summary>What a write produced: the file size and the ranges that were chosen but could not be read (written as zeros).</summary>
public sealed record MinidumpWriteResult(long FileSize, IReadOnlyList<MemoryRange> UnreadableRanges);
