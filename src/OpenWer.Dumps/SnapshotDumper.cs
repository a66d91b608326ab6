using OpenWer.Snapshot;
using OpenWer.Dumps.Output;
using OpenWer.Format;

namespace OpenWer.Dumps;

/// <summary>
/// The pipeline for a snapshot that is already taken (a core file, another minidump): selection by the flags, then
/// the minidump, written under a temporary name and renamed into place.
/// </summary>
public static class SnapshotDumper
{
    /// <param name="onlyThread">Write this thread alone (a micro dump), or every thread for null.</param>
    public static DumpResult WriteFile(ProcessSnapshot snapshot, MinidumpType flags, int? onlyThread, string path, bool overwrite)
    {
        var plan = DumpPlan.For(snapshot, new DumpPolicy(flags, onlyThread));
        AtomicDumpFile.CheckWritable(path, overwrite);
        var written = AtomicDumpFile.Write(path, overwrite, plan.WriteTo);
        return new DumpResult(Path.GetFullPath(path), written.FileSize, plan.Selection.Threads.Count, plan.Selection.Modules.Count, TimeSpan.Zero, written.UnreadableRanges);
    }
}
