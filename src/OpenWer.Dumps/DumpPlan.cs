using OpenWer.Snapshot;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Selection;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps;

/// <summary>
/// A snapshot with what of it a dump holds, selected once: the one way from a snapshot to a minidump, whatever the
/// source (a live process, a crash, a core file, another minidump). Callers that must know the size before writing
/// (the crash handler's free-space check) look at <see cref="Selection"/> first.
/// </summary>
public sealed class DumpPlan
{
    public ProcessSnapshot Snapshot { get; }
    public DumpSelection Selection { get; }

    private DumpPlan(ProcessSnapshot snapshot, DumpSelection selection) => (Snapshot, Selection) = (snapshot, selection);

    public static DumpPlan For(ProcessSnapshot snapshot, DumpPolicy policy) =>
        new(snapshot, DumpSelector.Select(snapshot, policy.Flags, policy.OnlyThread, policy.ExtraMemory, policy.Filter));

    /// <summary>Writes the minidump into <paramref name="output"/> (seekable); the snapshot must still be readable.</summary>
    public MinidumpWriteResult WriteTo(Stream output) => MinidumpComposer.Write(Snapshot, Selection, output, DateTimeOffset.UtcNow);
}
