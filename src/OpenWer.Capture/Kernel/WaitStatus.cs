namespace OpenWer.Capture.Kernel;

/// <summary>
/// A waitpid status as the kernel encodes it (what glibc's W* macros decode): exited with a code, killed by a signal,
/// or stopped with a signal and, for a ptrace event-stop, the event in the bits above.
/// </summary>
public readonly record struct WaitStatus(int Raw)
{
    public bool Exited => (Raw & 0x7F) == 0;
    public int ExitCode => (Raw >> 8) & 0xFF;
    public bool Stopped => (Raw & 0xFF) == 0x7F;
    /// <summary>Killed by a signal: neither exited nor stopped (nor the 0xFFFF "continued" report).</summary>
    public bool Signaled => !Exited && !Stopped && Raw != 0xFFFF;
    public int TermSignal => Raw & 0x7F;
    public int StopSignal => (Raw >> 8) & 0xFF;
    /// <summary>The PTRACE_EVENT_* of an event-stop; 0 for a signal-delivery-stop.</summary>
    public int PtraceEvent => Raw >> 16;
}
