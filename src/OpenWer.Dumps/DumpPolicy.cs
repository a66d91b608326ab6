using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps;

/// <summary>
/// What a dump of a snapshot holds: the MINIDUMP_TYPE flags, one thread alone or all, extra memory, WER's custom write
/// flags. The flags are checked once, here (bits outside MiniDumpValidTypeFlags are refused), so a policy is always valid.
/// </summary>
public sealed record DumpPolicy(MinidumpType Flags, int? OnlyThread = null, IReadOnlyList<MemoryRange>? ExtraMemory = null, DumpFilter? Filter = null)
{
    public MinidumpType Flags { get; init => field = DumpTypeFlags.Validate((ulong)value); } = DumpTypeFlags.Validate((ulong)Flags);
}
