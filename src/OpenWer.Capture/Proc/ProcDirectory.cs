using Microsoft.Win32.SafeHandles;
using OpenWer.Capture.Native;

namespace OpenWer.Capture.Proc;

/// <summary>
/// An open /proc/PID directory. Every file of the process is reached through it (<see cref="Path"/> is
/// /proc/self/fd/N, which resolves to the directory that was opened), so a read never lands in another process
/// that took the pid later: once the process is reaped, the old directory's files are gone, whatever the pid now
/// names. The crash handler opens it and then proves, with the kernel's pidfd, that the process was still the
/// one that crashed at that moment.
/// </summary>
public sealed class ProcDirectory : IDisposable
{
    private readonly SafeFileHandle _handle;

    public int Pid { get; }

    /// <summary>
    /// Whether module files may also be opened by their path through /proc/PID/root when map_files is refused
    /// (a user dumping a process of their own). The crash handler, running as root for someone else's process,
    /// reads module files only through map_files, which names the very files mapped.
    /// </summary>
    public bool AllowPathFallback { get; init; } = true;

    /// <summary>The directory, as a path that stays bound to it.</summary>
    public string Path { get; }

    private ProcDirectory(int pid, SafeFileHandle handle)
    {
        Pid = pid;
        _handle = handle;
        Path = $"/proc/self/fd/{(int)handle.DangerousGetHandle()}";
    }

    /// <summary>Opens /proc/PID, or throws <see cref="ProcessNotFoundException"/>.</summary>
    public static ProcDirectory Open(int pid, bool allowPathFallback = true)
    {
        var handle = LinuxApi.Open($"/proc/{pid}", LinuxApi.O_RDONLY | LinuxApi.O_DIRECTORY | LinuxApi.O_CLOEXEC, 0);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new ProcessNotFoundException(pid);
        }
        return new ProcDirectory(pid, handle) { AllowPathFallback = allowPathFallback };
    }

    /// <summary>A file of the process ("status", "task/TID/comm"), read to its end up to <paramref name="limit"/> bytes; empty if unreadable.</summary>
    public byte[] ReadBytes(string relative, int limit = ProcFiles.DefaultLimit) => ProcFiles.ReadBytes($"{Path}/{relative}", limit);

    public string ReadText(string relative, int limit = ProcFiles.DefaultLimit) => System.Text.Encoding.UTF8.GetString(ReadBytes(relative, limit));

    /// <summary>Opens a file of the process for reading ("mem", "map_files/A-B"); throws IOException or UnauthorizedAccessException.</summary>
    public SafeFileHandle OpenFile(string relative) => File.OpenHandle($"{Path}/{relative}", FileMode.Open, FileAccess.Read);

    public void Dispose() => _handle.Dispose();
}
