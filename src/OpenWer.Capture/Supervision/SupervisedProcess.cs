using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OpenWer.Capture.Kernel;
using OpenWer.Capture.Live;
using OpenWer.Capture.Native;
using OpenWer.Capture.Proc;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Supervision;

/// <summary>
/// Runs a program under ptrace supervision, without root: when it takes a signal that will kill it with a core
/// (and that it does not handle), every thread is stopped, a snapshot with the exact faulting context is handed
/// to <c>onCrash</c>, and then the signal is delivered, so the program ends exactly as it would have.
/// All ptrace calls run on one <see cref="PtraceThread"/>.
/// </summary>
public sealed class SupervisedProcess
{
    private readonly PtraceThread _ptrace = new();
    private readonly HashSet<int> _threads = [];
    private readonly bool _withAvx;
    private int _pid;

    private SupervisedProcess(bool withAvx) => _withAvx = withAvx;

    public static ProcessOutcome Run(string program, IReadOnlyList<string> arguments, bool withAvx, Action<ProcessSnapshot> onCrash,
        Action<int>? started = null)
    {
        var supervisor = new SupervisedProcess(withAvx);
        try
        {
            supervisor._pid = StartStopped(program, arguments);
            started?.Invoke(supervisor._pid);
            return supervisor._ptrace.Invoke(() => supervisor.Supervise(onCrash));
        }
        finally
        {
            supervisor._ptrace.Dispose();
        }
    }

    /// <summary>The pid being supervised, for forwarding signals (0 before start).</summary>
    public int Pid => _pid;

    /// <summary>
    /// Starts the program through a shell that stops itself before exec, so nothing of the program runs before we
    /// attach. Spawned with posix_spawn, not System.Diagnostics.Process: the runtime reaps the wait statuses of the
    /// children it knows, ptrace stops included, and would take them for an exit.
    /// </summary>
    private static int StartStopped(string program, IReadOnlyList<string> arguments)
    {
        int pid = Spawn.Start(["/bin/sh", "-c", "kill -STOP $$; exec \"$@\"", "openwer-run", program, .. arguments]);
        var deadline = Environment.TickCount64 + 10_000;
        while (ProcFiles.ThreadState(pid, pid) is not ('T' or 't'))
        {
            if (Environment.TickCount64 > deadline || ProcFiles.ThreadState(pid, pid) is '\0' or 'Z' or 'X')
                throw new CaptureException($"the program did not start (pid {pid})");
            Thread.Sleep(1);
        }
        return pid;
    }

    private ProcessOutcome Supervise(Action<ProcessSnapshot> onCrash)
    {
        if (LinuxApi.Ptrace(LinuxApi.PTRACE_SEIZE, _pid, 0, LinuxApi.PTRACE_O_TRACECLONE | LinuxApi.PTRACE_O_TRACEEXEC) < 0)
            throw new PtraceDeniedException(PtraceDenial.Explain(_pid));
        _threads.Add(_pid);
        LinuxApi.Kill(_pid, LinuxApi.SIGCONT);
        bool crashed = false;
        while (true)
        {
            int tid = LinuxApi.WaitPid(-1, out int raw, LinuxApi.WALL);
            if (tid < 0)
            {
                if (Marshal.GetLastPInvokeError() == LinuxApi.EINTR)
                    continue;
                throw new CaptureException("lost track of the supervised process (waitpid: no tracee left)");
            }
            var status = new WaitStatus(raw);
            if (!status.Stopped)
            {
                _threads.Remove(tid);
                if (tid == _pid)
                    return status.Exited ? new ProcessOutcome(status.ExitCode, null) : new ProcessOutcome(null, status.TermSignal);
                continue;
            }
            int signal = status.StopSignal;
            int evt = status.PtraceEvent;
            _threads.Add(tid);
            if (evt == LinuxApi.PTRACE_EVENT_CLONE)
            {
                Continue(tid, 0);
            }
            else if (evt == LinuxApi.PTRACE_EVENT_STOP)
            {
                // A group-stop (SIGSTOP, Ctrl-Z) is kept with PTRACE_LISTEN; any other event-stop (a new thread's first stop) resumes.
                if (signal is LinuxApi.SIGSTOP or LinuxApi.SIGTSTP or LinuxApi.SIGTTIN or LinuxApi.SIGTTOU)
                {
                    if (LinuxApi.Ptrace(LinuxApi.PTRACE_LISTEN, tid, 0, 0) < 0)
                        _threads.Remove(tid); // gone (ESRCH) while stopped: its exit is reported next
                }
                else
                    Continue(tid, 0);
            }
            else if (evt != 0)
            {
                Continue(tid, 0); // exec and other events
            }
            else if (!crashed && FatalSignals.IsCrash(_pid, signal))
            {
                crashed = true;
                HandleCrash(tid, signal, onCrash);
            }
            else
            {
                Continue(tid, signal); // a signal-delivery-stop: deliver it as it was
            }
        }
    }

    private void HandleCrash(int faulting, int signal, Action<ProcessSnapshot> onCrash)
    {
        var pending = new Dictionary<int, int>();
        var siginfo = ReadSigInfo(faulting);
        try
        {
            foreach (int tid in _threads.Where(t => t != faulting).ToList())
                if (LinuxApi.Ptrace(LinuxApi.PTRACE_INTERRUPT, tid, 0, 0) < 0)
                    _threads.Remove(tid); // exited meanwhile (ESRCH): not waited for, not dumped
            foreach (int tid in _threads.Where(t => t != faulting).ToList())
                WaitStopped(tid, pending);
            var exception = ExceptionSnapshot.ForSignal(faulting, signal, siginfo.Code, siginfo.Address);
            using var crashed = SupervisedCrashCapture.Open(_pid, [.. _threads.Order()], Registers, exception);
            onCrash(crashed.Snapshot);
        }
        finally
        {
            foreach (int tid in _threads.Where(t => t != faulting).ToList())
                Continue(tid, pending.GetValueOrDefault(tid));
            Continue(faulting, signal);
        }
    }

    private ThreadRegistersRead? Registers(int tid)
    {
        try
        {
            return ThreadRegisters.Read(tid, _withAvx);
        }
        catch (ThreadVanishedException)
        {
            return null;
        }
    }

    private void WaitStopped(int tid, Dictionary<int, int> pending)
    {
        while (true)
        {
            int r = LinuxApi.WaitPid(tid, out int raw, LinuxApi.WALL);
            if (r < 0 && Marshal.GetLastPInvokeError() == LinuxApi.EINTR)
                continue;
            var status = new WaitStatus(raw);
            if (r < 0 || !status.Stopped)
            {
                _threads.Remove(tid);
                return;
            }
            int signal = status.StopSignal;
            if (status.PtraceEvent == 0 && signal != 0)
                pending[tid] = signal; // stopped on its way to another signal: deliver it afterwards
            return;
        }
    }

    private void Continue(int tid, int signal)
    {
        if (LinuxApi.Ptrace(LinuxApi.PTRACE_CONT, tid, 0, signal) < 0)
            _threads.Remove(tid);
    }

    /// <summary>The stopped thread's siginfo (64-bit layout: the tracer's view, also of a 32-bit tracee); empty if it cannot be read.</summary>
    private static unsafe SignalInfo ReadSigInfo(int tid)
    {
        var buffer = new byte[SignalInfo.Size];
        fixed (byte* b = buffer)
        {
            if (LinuxApi.Ptrace(LinuxApi.PTRACE_GETSIGINFO, tid, 0, (nint)b) < 0)
                return default;
        }
        return SignalInfo.Parse(buffer, is32Bit: false);
    }
}
