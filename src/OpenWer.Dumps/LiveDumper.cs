using System.Diagnostics;
using OpenWer.Capture.Live;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Output;
using OpenWer.Dumps.Selection;
using OpenWer.Format;

namespace OpenWer.Dumps;

/// <summary>The pipeline for a live process: snapshot (all threads stopped) -> selection -> minidump -> rename into place.</summary>
public static class LiveDumper
{
    /// <summary>Captures the process and writes the minidump into <paramref name="output"/> (seekable); the process runs on.</summary>
    public static Format.Writing.MinidumpWriteResult Write(DumpRequest request, Stream output)
    {
        var flags = DumpTypeFlags.Validate((ulong)request.Flags);
        var options = new LiveCaptureOptions(request.Exception?.ThreadId ?? request.ThreadId, (flags & MinidumpType.WithAvxXStateContext) != 0, request.Exception);
        using var capture = LiveProcessCapture.Capture(request.ProcessId, options);
        var selection = DumpSelector.Select(capture.Snapshot, flags, request.OnlyThisThread ? capture.Snapshot.Exception?.ThreadId : null, request.ExtraMemory, request.Filter);
        return MinidumpComposer.Write(capture.Snapshot, selection, output, DateTimeOffset.UtcNow);
    }

    public static DumpResult Dump(DumpRequest request)
    {
        var flags = DumpTypeFlags.Validate((ulong)request.Flags);
        AtomicDumpFile.CheckWritable(request.OutputPath, request.Overwrite);
        var options = new LiveCaptureOptions(request.Exception?.ThreadId ?? request.ThreadId, (flags & MinidumpType.WithAvxXStateContext) != 0, request.Exception);
        var stopped = Stopwatch.StartNew();
        TimeSpan pause = default;
        int threads = 0, modules = 0;
        var written = AtomicDumpFile.Write(request.OutputPath, request.Overwrite, stream =>
        {
            // The target stays stopped while its memory is copied, so memory and registers agree;
            // it runs on as soon as the last byte is read.
            using var capture = LiveProcessCapture.Capture(request.ProcessId, options);
            var selection = DumpSelector.Select(capture.Snapshot, flags, request.OnlyThisThread ? capture.Snapshot.Exception?.ThreadId : null, request.ExtraMemory, request.Filter);
            threads = selection.Threads.Count;
            modules = selection.Modules.Count;
            var result = MinidumpComposer.Write(capture.Snapshot, selection, stream, DateTimeOffset.UtcNow);
            capture.Dispose();
            pause = stopped.Elapsed;
            return result;
        });
        return new DumpResult(Path.GetFullPath(request.OutputPath), written.FileSize, threads, modules, pause, written.UnreadableRanges);
    }
}
