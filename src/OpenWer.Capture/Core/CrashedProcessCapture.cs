using System.Buffers.Binary;
using OpenWer.Capture.Proc;
using OpenWer.Capture.Kernel;
using OpenWer.Format.Streams;
using OpenWer.Capture.Live;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Core;

/// <summary>
/// The snapshot of a process the kernel is dumping through a core_pattern pipe: registers and the signal from
/// the core's notes (the context at the fault), memory read directly with process_vm_readv (the process and its
/// memory stay until the helper exits while kernel.core_pipe_limit is non-zero), the rest from /proc/PID.
/// Random access to memory means a mini dump of a multi-GiB process reads only what it needs; the rest of the
/// core is never read, let alone written.
/// </summary>
public sealed class CrashedProcessCapture : ISnapshotSource
{
    private readonly ProcessMemory _memory;

    public ProcessSnapshot Snapshot { get; }

    private CrashedProcessCapture(ProcessMemory memory, ProcessSnapshot snapshot) => (_memory, Snapshot) = (memory, snapshot);

    /// <summary>Releases the process's memory; the kernel lets the process go once the handler has exited.</summary>
    public void Dispose() => _memory.Dispose();

    /// <summary>The snapshot of the crashed process; takes <paramref name="memory"/> over (disposed with this, or at once on failure).</summary>
    public static CrashedProcessCapture Open(ProcDirectory proc, int crashingThread, CoreNotes notes, ProcessMemory memory, bool withAvx)
    {
        try
        {
            var byTid = notes.Threads.ToDictionary(t => t.ThreadId);
            int faulting = byTid.ContainsKey(crashingThread) ? crashingThread : notes.Threads.FirstOrDefault()?.ThreadId ?? proc.Pid;
            var signal = notes.SignalInfo;
            var exception = ExceptionSnapshot.ForSignal(faulting, signal.Signal, signal.Code, signal.Address);
            var snapshot = LiveProcessCapture.Read(proc, [.. byTid.Keys.Order()], tid => byTid.TryGetValue(tid, out var t) ? Registers(t, notes.Architecture, withAvx) : null,
                memory, faulting, exception);
            return new CrashedProcessCapture(memory, snapshot);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>A thread's registers from its core notes, in the context of the core's architecture.</summary>
    internal static ThreadRegistersRead Registers(CoreThread t, ProcessorArchitecture architecture, bool withAvx)
    {
        switch (architecture)
        {
            case ProcessorArchitecture.Intel:
                var x86 = KernelRegisterSets.X86(t.Registers, t.FpRegs, t.FxRegs);
                return new ThreadRegistersRead(new X86Context(x86), TlsBase(t.Tls, x86.SegGs));
            case ProcessorArchitecture.Arm64:
                return new ThreadRegistersRead(new Arm64Context(KernelRegisterSets.Arm64(t.Registers, t.FpRegs)),
                    t.Tls.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(t.Tls) : 0);
            default:
                var ymmHigh = withAvx && t.XState is { } xsave ? KernelRegisterSets.YmmHigh(xsave) : null;
                return new ThreadRegistersRead(new Amd64Context(KernelRegisterSets.Amd64(t.Registers, t.FpRegs, ymmHigh: ymmHigh)),
                    KernelRegisterSets.FsBase(t.Registers));
        }
    }

    /// <summary>An i386 thread's thread pointer: the base of the TLS entry (NT_386_TLS) its %gs selects, or 0.</summary>
    private static ulong TlsBase(byte[] tls, uint gs)
    {
        for (int i = 0; i + 16 <= tls.Length; i += 16)
            if (gs != 0 && (gs & 4) == 0 && BitConverter.ToUInt32(tls, i) == gs >> 3)
                return BitConverter.ToUInt32(tls, i + 4);
        return 0;
    }
}
