using OpenWer.Capture.Snapshot;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Output;
using OpenWer.Dumps.Selection;
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
        flags = DumpTypeFlags.Validate((ulong)flags);
        AtomicDumpFile.CheckWritable(path, overwrite);
        DumpSelection? selection = null;
        var written = AtomicDumpFile.Write(path, overwrite, stream =>
        {
            selection = DumpSelector.Select(snapshot, flags, onlyThread);
            return MinidumpComposer.Write(snapshot, selection, stream, DateTimeOffset.UtcNow);
        });
        return new DumpResult(Path.GetFullPath(path), written.FileSize, selection!.Threads.Count, selection.Modules.Count, TimeSpan.Zero, written.UnreadableRanges);
    }
}
