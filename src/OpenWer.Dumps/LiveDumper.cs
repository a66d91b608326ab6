using System.Diagnostics;
using OpenWer.Capture.Live;
using OpenWer.Dumps.Output;
using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps;

/// <summary>The pipeline for a live process: snapshot (all threads stopped) -> selection -> minidump -> rename into place.</summary>
public static class LiveDumper
{
    /// <summary>Captures the process and writes the minidump into <paramref name="output"/> (seekable); the process runs on.</summary>
    public static MinidumpWriteResult Write(DumpRequest request, Stream output) => Write(request, Policy(request), output, out _);

    public static DumpResult Dump(DumpRequest request)
    {
        // Checked before the process is stopped: bad flags and an unwritable output cost the target nothing.
        var policy = Policy(request);
        AtomicDumpFile.CheckWritable(request.OutputPath, request.Overwrite);
        var stopped = Stopwatch.StartNew();
        TimeSpan pause = default;
        DumpSelection? selection = null;
        var written = AtomicDumpFile.Write(request.OutputPath, request.Overwrite, stream =>
        {
            var result = Write(request, policy, stream, out selection);
            pause = stopped.Elapsed;
            return result;
        });
        return new DumpResult(Path.GetFullPath(request.OutputPath), written.FileSize, selection!.Threads.Count, selection.Modules.Count, pause, written.UnreadableRanges);
    }

    /// <summary>The request's policy; its flags are checked here (the thread to keep alone is known only once captured).</summary>
    private static DumpPolicy Policy(DumpRequest request) => new(request.Flags, null, request.ExtraMemory, request.Filter);

    private static MinidumpWriteResult Write(DumpRequest request, DumpPolicy policy, Stream output, out DumpSelection selection)
    {
        var options = new LiveCaptureOptions(request.Exception?.ThreadId ?? request.ThreadId, (policy.Flags & MinidumpType.WithAvxXStateContext) != 0, request.Exception);
        // The target stays stopped while its memory is copied, so memory and registers agree;
        // it runs on as soon as the capture is disposed, right after the last byte is read.
        using var capture = LiveProcessCapture.Capture(request.ProcessId, options);
        var plan = DumpPlan.For(capture.Snapshot, request.OnlyThisThread ? policy with { OnlyThread = capture.Snapshot.Exception?.ThreadId } : policy);
        selection = plan.Selection;
        return plan.WriteTo(output);
    }
}
