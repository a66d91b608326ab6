using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// What the crash handler did and why it skipped, to syslog (the journal) and to /var/log/openwer.log:
/// a dump that is not written is never silent. Every message becomes exactly one line (<see cref="LogText"/>);
/// the file is root's alone (0600: it names every user's crashes and home folders), appended with O_APPEND in one
/// write(2) per line so that handlers running at once lose none, and rotated past <see cref="MaxBytes"/>.
/// </summary>
public static partial class HandlerLog
{
    public const string FilePath = "/var/log/openwer.log";
    public const string RotatedPath = FilePath + ".1";
    public const long DefaultMaxBytes = Settings.SettingsFile.DefaultLogMaxBytes;

    /// <summary>Past this size the log becomes <see cref="RotatedPath"/> (the one kept before it is dropped); [OpenWer] LogMaxBytes.</summary>
    public static long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>A longer message is cut here, so that one hostile name cannot make every line a rotation.</summary>
    private const int MaxLineChars = 8192;
    private const int LOG_USER = 8, LOG_WARNING = 4, LOG_INFO = 6;

    public static void Info(string message) => Write(LOG_INFO, message);

    public static void Warning(string message) => Write(LOG_WARNING, message);

    private static void Write(int priority, string message)
    {
        string line = LogText.OneLine(message);
        if (line.Length > MaxLineChars)
            line = $"{line[..MaxLineChars]}... ({line.Length - MaxLineChars} characters cut)";
        ToSyslog(priority, line);
        try
        {
            Append(Encoding.UTF8.GetBytes($"{DateTimeOffset.Now:yyyy-MM-dd'T'HH:mm:ss.fffzzz} {line}\n"));
        }
        catch (IOException e)
        {
            ToSyslog(LOG_WARNING, LogText.OneLine($"the line above is missing from {FilePath}: {e.Message}"));
        }
    }

    private static void Append(byte[] line)
    {
        var log = OpenLog(out var facts);
        try
        {
            string? problem = null;
            if (facts.Size > 0 && facts.Size + line.Length > MaxBytes)
            {
                try
                {
                    var fresh = Rotate(line.Length);
                    log.Dispose();
                    log = fresh;
                }
                catch (IOException e)
                {
                    problem = e.Message; // the line still goes into the full log: a line is worth more than the bound
                }
            }
            RootFiles.WriteOnce(log, line, FilePath);
            if (problem is not null)
                ToSyslog(LOG_WARNING, LogText.OneLine($"cannot rotate {FilePath}: {problem}"));
        }
        finally
        {
            log.Dispose();
        }
    }

    private static SafeFileHandle OpenLog(out FileFacts facts)
    {
        var log = RootFiles.Open(FilePath, RootFiles.O_WRONLY | RootFiles.O_APPEND | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC);
        try
        {
            facts = RootFiles.RequireRootOwned(log, FilePath);
            return log;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Renames the full log to .1 and opens a new one, under a lock only root handlers take, so that two that find it
    /// full at once rotate once. A handler that still holds the old file writes its line there: in .1, not lost.
    /// </summary>
    private static SafeFileHandle Rotate(int lineLength)
    {
        using var folder = RootFiles.RootFolder(CrashRateLimiter.DefaultFolder);
        using var gate = RootFiles.OpenAt(folder, "log-rotation.lock", RootFiles.O_RDWR | RootFiles.O_CREAT | RootFiles.O_NOFOLLOW | RootFiles.O_CLOEXEC);
        RootFiles.Lock(gate, "log-rotation.lock");
        var log = OpenLog(out var facts);
        if (facts.Size > 0 && facts.Size + lineLength > MaxBytes)
        {
            // Another handler may have rotated while this one waited: only the file still at the path and still full goes.
            RootFiles.Rename(FilePath, RotatedPath);
            log.Dispose();
            log = OpenLog(out _);
        }
        return log;
    }

    private static void ToSyslog(int priority, string line)
    {
        try
        {
            unsafe
            {
                fixed (byte* ident = "openwer\0"u8)
                    LibC.OpenLog(ident, 0x01, LOG_USER); // LOG_PID
            }
            LibC.Syslog(priority, "%s", line);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

}
