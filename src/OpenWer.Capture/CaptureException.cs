namespace OpenWer.Capture;

/// <summary>A process could not be captured; the message says why and what to do.</summary>
public class CaptureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No process has that id.</summary>
public sealed class ProcessNotFoundException(int pid)
    : CaptureException($"no process with id {pid}: check the id (ps -p {pid}); it may have exited");

/// <summary>The kernel refused to let us trace the process.</summary>
public sealed class PtraceDeniedException(string message) : CaptureException(message);

/// <summary>The process exited while it was being captured.</summary>
public sealed class ProcessExitedException(int pid)
    : CaptureException($"process {pid} exited while it was being dumped; no dump was written");

/// <summary>The thread asked for is not a thread of the process.</summary>
public sealed class ThreadNotFoundException(int tid, int pid, IEnumerable<int> threads)
    : CaptureException($"thread {tid} is not a thread of process {pid} (its threads: {string.Join(", ", threads)})");
