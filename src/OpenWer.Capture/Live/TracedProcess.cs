using System.Runtime.InteropServices;
using OpenWer.Capture.Kernel;
using OpenWer.Capture.Native;
using OpenWer.Capture.Proc;

namespace OpenWer.Capture.Live;

/// <summary>
/// Every thread of a process stopped under ptrace (PTRACE_SEIZE + PTRACE_INTERRUPT, so the process sees no
/// SIGSTOP), and detached on dispose with any signal that arrived meanwhile passed back, so it runs on unharmed.
/// The task list is read again until no new thread appears: threads created during the attach are caught too.
/// </summary>
public sealed class TracedProcess : IDisposable
{
    private readonly PtraceThread _ptrace;
    private readonly Dictionary<int, int> _pendingSignals = [];
    private readonly List<int> _threads = [];

    public int ProcessId { get; }
    public IReadOnlyList<int> ThreadIds => _threads;

    private TracedProcess(int pid, PtraceThread ptrace)
    {
        ProcessId = pid;
        _ptrace = ptrace;
    }

    public static TracedProcess Attach(int pid, PtraceThread ptrace)
    {
        if (pid <= 0 || !Directory.Exists($"/proc/{pid}"))
            throw new ProcessNotFoundException(pid);
        if (pid == Environment.ProcessId)
            throw new CaptureException("a process cannot ptrace itself: dump it from another process (the report API starts a helper for this)");
        var traced = new TracedProcess(pid, ptrace);
        try
        {
            ptrace.Invoke(traced.StopAllThreads);
            return traced;
        }
        catch
        {
            traced.Dispose();
            throw;
        }
    }

    private void StopAllThreads()
    {
        var seen = new HashSet<int>();
        while (true)
        {
            var fresh = ListTasks().Where(seen.Add).ToList();
            if (fresh.Count == 0)
                break;
            var seized = new List<int>();
            foreach (int tid in fresh)
            {
                if (LinuxApi.Ptrace(LinuxApi.PTRACE_SEIZE, tid, 0, 0) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LinuxApi.ESRCH)
                        continue; // the thread exited after it was listed
                    // The kernel refuses to attach to a thread that is exiting (a zombie until its group reaps it): one of
                    // the threads a busy process ends while we attach, not a refusal to trace the process.
                    if (errno == LinuxApi.EPERM && tid != ProcessId && ProcFiles.ThreadState(ProcessId, tid) is 'Z' or 'X' or '\0')
                        continue;
                    if (errno == LinuxApi.EPERM)
                        throw new PtraceDeniedException(PtraceDenial.Explain(ProcessId));
                    throw new CaptureException($"PTRACE_SEIZE of thread {tid} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                if (LinuxApi.Ptrace(LinuxApi.PTRACE_INTERRUPT, tid, 0, 0) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    // ESRCH: the thread exited between the seize and the interrupt; it has nothing left to dump.
                    if (errno == LinuxApi.ESRCH)
                        continue;
                    throw new CaptureException($"PTRACE_INTERRUPT of thread {tid} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                _threads.Add(tid);
                seized.Add(tid);
            }
            foreach (int tid in seized)
                WaitForStop(tid);
        }
        if (_threads.Count == 0)
            throw new ProcessExitedException(ProcessId);
    }

    private List<int> ListTasks()
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{ProcessId}/task")
                .Select(d => int.TryParse(Path.GetFileName(d), out int t) ? t : 0).Where(t => t > 0).Order().ToList();
        }
        catch (DirectoryNotFoundException)
        {
            throw new ProcessExitedException(ProcessId);
        }
    }

    /// <summary>
    /// Waits until a seized thread is in its ptrace stop. Polls with WNOHANG instead of blocking: when the target is
    /// our own child, another thread of this process (the .NET runtime's SIGCHLD handler) may reap the stop report
    /// first, since waitpid reports a traced child's stops to every thread of the tracer's group. /proc then tells.
    /// </summary>
    private void WaitForStop(int tid)
    {
        var deadline = Environment.TickCount64 + 5000;
        while (true)
        {
            int r = LinuxApi.WaitPid(tid, out int status, LinuxApi.WALL | LinuxApi.WNOHANG);
            if (r < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxApi.EINTR)
                    continue;
                _threads.Remove(tid); // ECHILD: gone
                return;
            }
            if (r == tid)
            {
                var stop = new WaitStatus(status);
                if (!stop.Stopped)
                {
                    _threads.Remove(tid); // exited or killed while we attached
                    return;
                }
                int signal = stop.StopSignal;
                if (stop.PtraceEvent != LinuxApi.PTRACE_EVENT_STOP && signal != 0)
                    _pendingSignals[tid] = signal; // a signal-delivery-stop: give the signal back at detach
                return;
            }
            char state = ProcFiles.ThreadState(ProcessId, tid);
            if (state == 't')
                return; // stopped; its report went to another waiter
            if (state == '\0' || state is 'X' or 'Z')
            {
                _threads.Remove(tid);
                return;
            }
            if (Environment.TickCount64 > deadline)
                throw new CaptureException($"thread {tid} of process {ProcessId} did not stop within 5 s of PTRACE_INTERRUPT (state '{state}')");
            Thread.Sleep(0);
        }
    }

    /// <summary>Reads a stopped thread's registers in its ABI's CONTEXT, or null if it exited since the attach.</summary>
    internal ThreadRegistersRead? ReadRegisters(int tid, bool withXState) =>
        _ptrace.Invoke(() =>
        {
            try { return ThreadRegisters.Read(tid, withXState); }
            catch (ThreadVanishedException) { return null; }
        });

    public void Dispose()
    {
        if (_threads.Count == 0)
            return;
        _ptrace.Invoke(() =>
        {
            // A failed detach is left: ESRCH means the thread is gone (nothing to undo), and for anything else the kernel
            // detaches every tracee when this process exits; a Dispose that threw would hide the dump's own outcome.
            foreach (int tid in _threads)
                _ = LinuxApi.Ptrace(LinuxApi.PTRACE_DETACH, tid, 0, _pendingSignals.GetValueOrDefault(tid));
        });
        _threads.Clear();
    }
}
