using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Reporting.InProcess;

/// <summary>
/// A process cannot ptrace itself: its own dump is written by a helper process (the `wer` command) while the
/// calling thread waits. Yama's ptrace_scope 1 lets only ancestors trace, so the process names any tracer
/// allowed (PR_SET_PTRACER) for the helper's lifetime.
/// </summary>
public static partial class DumpHelper
{
    private const int PR_SET_PTRACER = 0x59616d61;
    private const nint PR_SET_PTRACER_ANY = -1;

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
        Prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
        try
        {
            action();
        }
        finally
        {
            Prctl(PR_SET_PTRACER, 0, 0, 0, 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int CurrentThreadId();
}
