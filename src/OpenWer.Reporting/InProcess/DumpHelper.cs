using System.Diagnostics;
using OpenWer.Dumps;
using OpenWer.Dumps.Requests;
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
        var request = new DumpRequest(Environment.ProcessId, flags, threadId, onlyThisThread, output, Overwrite: true)
        {
            ExtraMemory = extraMemory,
            Exception = exception is { } e ? new Snapshot.ExceptionSnapshot(threadId, e.Code, e.Flags, e.Address, []) : null,
            Filter = filter,
        };
        string message = DumpRequestMessage.From(request).ToJson();
        AllowTracing(() =>
        {
            var psi = new ProcessStartInfo(helper)
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "dump", "--request", "-" })
                psi.ArgumentList.Add(a);
            using var process = Process.Start(psi) ?? throw new IOException($"cannot start the dump helper {helper}");
            process.StandardInput.Write(message);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = stdout.Result;
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
