using OpenWer.Capture.Live;
using OpenWer.Capture.Proc;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Supervision;

/// <summary>
/// The snapshot of a supervised program at its fatal signal: every thread held in a ptrace stop by the supervisor,
/// the faulting one before the signal is delivered, so its registers are the fault's. Valid until disposed; the
/// supervisor lets the signal go on only after that.
/// </summary>
internal sealed class SupervisedCrashCapture : ISnapshotSource
{
    private readonly ProcessMemory _memory;
    private readonly ProcDirectory _proc;

    public ProcessSnapshot Snapshot { get; }

    private SupervisedCrashCapture(ProcessMemory memory, ProcDirectory proc, ProcessSnapshot snapshot) =>
        (_memory, _proc, Snapshot) = (memory, proc, snapshot);

    public void Dispose()
    {
        _proc.Dispose();
        _memory.Dispose();
    }

    /// <summary>Call on the ptrace thread, with every thread of <paramref name="threadIds"/> stopped.</summary>
    public static SupervisedCrashCapture Open(int pid, IReadOnlyList<int> threadIds, Func<int, ThreadRegistersRead?> registers, ExceptionSnapshot exception)
    {
        var memory = new ProcessMemory(pid);
        ProcDirectory? proc = null;
        try
        {
            proc = ProcDirectory.Open(pid);
            var snapshot = LiveProcessCapture.Read(proc, threadIds, registers, memory, exception.ThreadId, exception);
            return new SupervisedCrashCapture(memory, proc, snapshot);
        }
        catch
        {
            proc?.Dispose();
            memory.Dispose();
            throw;
        }
    }
}
