using OpenWer.Format.Streams;

namespace OpenWer.Analysis;

/// <summary>A thread of the dump: its id, name, position in the ThreadList, and its entry (stack and context locations).</summary>
public sealed record DumpThread(int Index, uint ThreadId, string? Name, MinidumpThread Entry);
