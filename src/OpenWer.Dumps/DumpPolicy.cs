using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps;

/// <summary>What a dump of a snapshot holds: the MINIDUMP_TYPE flags, one thread alone or all, extra memory, WER's custom write flags.</summary>
public sealed record DumpPolicy(MinidumpType Flags, int? OnlyThread = null, IReadOnlyList<MemoryRange>? ExtraMemory = null, DumpFilter? Filter = null);
