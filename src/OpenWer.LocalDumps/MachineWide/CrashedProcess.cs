using System.Globalization;
using Microsoft.Win32.SafeHandles;
using OpenWer.Capture.Proc;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The process that crashed, proven to be it. The kernel's pidfd (%F) names the crashed process for good; its
/// /proc/PID directory is opened and only then is the pidfd checked to be still that live (or not yet reaped)
/// process: a pid is not handed to another process before its holder is reaped, so the directory opened is
/// the crashed process's. Every later read goes through that directory (and its mem file, bound to the address
/// space), so a process that takes the pid later is never read, however the crash is raced.
/// </summary>
public sealed class CrashedProcess : IDisposable
{
    public ProcDirectory Directory { get; }
    public SafeFileHandle Memory { get; }

    private CrashedProcess(ProcDirectory directory, SafeFileHandle memory)
    {
        Directory = directory;
        Memory = memory;
    }

    /// <summary>The first kernel that passes %F.</summary>
    public static readonly Version PidFdKernel = new(6, 16);

    /// <summary>Opens the crashed process's directory and proves it; throws <see cref="CrashRefusedException"/> saying why not.</summary>
    /// <param name="pidFd">The kernel's pidfd of the crashed process: %F (descriptor 3) for a pipe handler, the peer's pidfd on the coredump socket.</param>
    public static CrashedProcess Open(CrashHandlerArguments a, int pidFd, Func<string, bool> pause)
    {
        if (!a.HasPidFd)
        {
            throw new CrashRefusedException(KernelVersion() >= PidFdKernel
                ? "the kernel gave no pidfd (%F), although it has them: core_pattern was not written by `wer localdumps enable`"
                : $"this kernel ({KernelVersion()}) passes no pidfd (%F, Linux 6.16): without it the crashed process cannot be told from one that took its pid");
        }
        if (PidFdTarget(pidFd) is not { } named || named != a.Pid)
            throw new CrashRefusedException($"descriptor {pidFd} is not a pidfd of pid {a.Pid} (it names {PidFdTarget(pidFd)?.ToString(CultureInfo.InvariantCulture) ?? "nothing"})");
        pause("before-open");
        ProcDirectory? directory = null;
        try
        {
            directory = ProcDirectory.Open(a.Pid, allowPathFallback: false);
            var memory = directory.OpenFile("mem");
            // Now, after the opens: if the crashed process has not been reaped, its pid was not reused.
            if (LibC.PidFdSendSignal(pidFd, 0, 0, 0) != 0 || PidFdTarget(pidFd) != a.Pid)
            {
                memory.Dispose();
                throw new CrashRefusedException($"the crashed process is gone (killed while the kernel waited for its dump, and reaped); pid {a.Pid} may now be another process's");
            }
            return new CrashedProcess(directory, memory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Capture.ProcessNotFoundException)
        {
            directory?.Dispose();
            throw new CrashRefusedException($"the crashed process is gone: {e.Message}");
        }
        catch
        {
            directory?.Dispose();
            throw;
        }
    }

    /// <summary>The pid the kernel's pidfd names (fdinfo "Pid:"; -1 once the process is reaped), or null if it is no pidfd.</summary>
    private static int? PidFdTarget(int pidFd)
    {
        string fd = $"/proc/self/fd/{pidFd}";
        string? link;
        try { link = new FileInfo(fd).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (link != "anon_inode:[pidfd]" && link?.StartsWith("pidfd:", StringComparison.Ordinal) != true)
            return null;
        string info = ProcFiles.ReadText($"/proc/self/fdinfo/{pidFd}");
        return int.TryParse(ProcFiles.StatusValue(info, "Pid"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    public static Version KernelVersion()
    {
        var parts = ProcFiles.ReadText("/proc/sys/kernel/osrelease").Trim().Split('.', '-');
        int P(int i) => parts.Length > i && int.TryParse(parts[i], out int v) ? v : 0;
        return new Version(P(0), P(1));
    }

    public void Dispose()
    {
        Memory.Dispose();
        Directory.Dispose();
    }
}

/// <summary>The handler decided not to dump this crash; the message says why (it is logged).</summary>
public sealed class CrashRefusedException(string message) : Exception(message);
