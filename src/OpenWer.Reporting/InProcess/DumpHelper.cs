using System.Diagnostics;
using System.Globalization;
using OpenWer.Format;
using OpenWer.Format.Writing;
using OpenWer.Reporting.Native;

namespace OpenWer.Reporting.InProcess;

/// <summary>
/// A process cannot ptrace itself: its own dump is written by a helper process (the `wer` command) while the
/// calling thread waits. Yama's ptrace_scope 1 lets only ancestors trace, so the process names any tracer
/// allowed (PR_SET_PTRACER) for the helper's lifetime.
/// </summary>
public static class DumpHelper
{
    public static void DumpSelf(string helper, int threadId, MinidumpType flags, bool onlyThisThread, string output,
        IReadOnlyList<MemoryRange> extraMemory, (uint Code, uint Flags, ulong Address)? exception, Dumps.Selection.DumpFilter? filter = null)
    {
        var args = new List<string>
        {
            "dump", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            "--flags", $"0x{(uint)flags:x}", "--thread", threadId.ToString(CultureInfo.InvariantCulture), "-o", output, "--overwrite",
        };
        foreach (var r in extraMemory)
            args.AddRange(["--include-memory", $"{r.Start:x}:{r.Size:x}"]);
        if (exception is { } e)
            args.AddRange(["--exception", $"{e.Code:x}:{e.Flags:x}:{e.Address:x}"]);
        if (onlyThisThread)
            args.Add("--only-thread");
        if (filter is not null)
            args.AddRange(["--filter", filter.Encode()]);
        AllowTracing(() =>
        {
            var psi = new ProcessStartInfo(helper) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
                psi.ArgumentList.Add(a);
            using var process = Process.Start(psi) ?? throw new IOException($"cannot start the dump helper {helper}");
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new IOException($"the dump helper failed ({process.ExitCode}): {error.Trim()}");
        });
    }

    /// <summary>Runs <paramref name="action"/> with any process allowed to trace this one (Yama), and back after.</summary>
    public static void AllowTracing(Action action)
    {
        // It fails (EINVAL) only where Yama is not built in, and then no tracer needs naming; were the helper refused
        // anyway, it says why (exit 4) and that reaches the caller.
        _ = LibC.Prctl(LibC.PR_SET_PTRACER, LibC.PR_SET_PTRACER_ANY, 0, 0, 0);
        try
        {
            action();
        }
        finally
        {
            _ = LibC.Prctl(LibC.PR_SET_PTRACER, 0, 0, 0, 0);
        }
    }

    /// <summary>The calling thread's kernel id (gettid cannot fail).</summary>
    public static int CurrentThreadId() => LibC.GetTid();
}
