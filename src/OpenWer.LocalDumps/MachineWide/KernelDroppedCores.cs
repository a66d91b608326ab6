using System.Runtime.InteropServices;
using System.Text;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Crashes the kernel never handed to us, which only its log tells of: past kernel.core_pipe_limit handlers at once
/// it skips the core ("coredump: PID(COMM): over core_pipe_limit, skipping core dump" on 6.x; "Pid PID(COMM) over
/// core_pipe_limit" before), and with core_pattern on a coredump socket that no one serves (a coredump service
/// killed outright) it cannot connect ("coredump: PID(COMM): Coredump socket connection PATH failed -ERRNO").
/// Read from /dev/kmsg without waiting, which needs root (or kernel.dmesg_restrict = 0).
/// </summary>
public static partial class KernelDroppedCores
{
    /// <param name="Count">Crashes dropped over core_pipe_limit.</param>
    /// <param name="SocketFailed">Crashes whose coredump socket connection failed.</param>
    public sealed record Report(int Count, string? Newest, int SocketFailed = 0, string? NewestSocketFailed = null);

    private const string Marker = "over core_pipe_limit";
    private const string SocketMarker = "Coredump socket connection ";
    private const int EINTR = 4, EAGAIN = 11, EPIPE = 32;

    /// <summary>The count and the newest such line still in the kernel's ring buffer, or null with <paramref name="problem"/> if it cannot be read.</summary>
    public static Report? Read(out string? problem)
    {
        problem = null;
        int fd = LibC.Open("/dev/kmsg", RootFiles.O_RDONLY | RootFiles.O_NONBLOCK | RootFiles.O_CLOEXEC, 0);
        if (fd < 0)
        {
            problem = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return null;
        }
        using var kmsg = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        int count = 0, socketFailed = 0;
        string? newest = null, newestSocket = null;
        var record = new byte[8192];
        while (true)
        {
            nint n = LibC.Read(kmsg, record, (nuint)record.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EINTR or EPIPE) // EPIPE: records overwritten while we read; go on with the next
                    continue;
                if (errno != EAGAIN)
                    problem = Marshal.GetPInvokeErrorMessage(errno);
                break;
            }
            if (n == 0)
                break;
            string text = Encoding.UTF8.GetString(record, 0, (int)n);
            if (text.Contains(Marker, StringComparison.Ordinal))
            {
                count++;
                newest = Message(text);
            }
            else if (text.Contains(SocketMarker, StringComparison.Ordinal) && text.Contains(" failed", StringComparison.Ordinal))
            {
                socketFailed++;
                newestSocket = Message(text);
            }
        }
        return new Report(count, newest, socketFailed, newestSocket);
    }

    /// <summary>"PRIO,SEQ,MICROSECONDS,FLAGS;MESSAGE\n KEY=VALUE..." as "[SECONDS] MESSAGE".</summary>
    private static string Message(string record)
    {
        int semicolon = record.IndexOf(';');
        string[] header = record[..Math.Max(semicolon, 0)].Split(',');
        string message = record[(semicolon + 1)..].Split('\n')[0];
        string seconds = header.Length > 2 && long.TryParse(header[2], out long us) ? $"[{us / 1_000_000}.{us % 1_000_000:D6}] " : "";
        return LogText.OneLine(seconds + message);
    }

}
