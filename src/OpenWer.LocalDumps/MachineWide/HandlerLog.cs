using System.Runtime.InteropServices;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// What the crash handler did and why it skipped, to syslog (the journal) and to /var/log/openwer.log:
/// a dump that is not written is never silent.
/// </summary>
public static partial class HandlerLog
{
    public const string FilePath = "/var/log/openwer.log";
    private const int LOG_USER = 8, LOG_WARNING = 4, LOG_INFO = 6;

    public static void Info(string message) => Write(LOG_INFO, message);

    public static void Warning(string message) => Write(LOG_WARNING, message);

    private static void Write(int priority, string message)
    {
        try
        {
            OpenLog("openwer", 0x01, LOG_USER); // LOG_PID
            Syslog(priority, "%s", message);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        try
        {
            File.AppendAllText(FilePath, $"{DateTimeOffset.Now:yyyy-MM-dd'T'HH:mm:ss.fffzzz} {message}\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "openlog", StringMarshalling = StringMarshalling.Utf8)]
    private static partial void OpenLog(string ident, int option, int facility);

    // syslog is variadic; its one argument here is a pointer, passed alike in the variadic and fixed ABIs.
    [LibraryImport("libc", EntryPoint = "syslog", StringMarshalling = StringMarshalling.Utf8)]
    private static partial void Syslog(int priority, string format, string message);
}
