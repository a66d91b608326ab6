using System.Globalization;

namespace OpenWer.Capture.Proc;

/// <summary>Small reads from /proc and /etc. /proc files report size 0, so they are read to the end.</summary>
public static class ProcFiles
{
    /// <summary>The most read of one file: /proc files of a crashed process are hostile input (cmdline and environ
    /// can be pointed at any range of its memory), and maps of 65530 mappings fit.</summary>
    public const int DefaultLimit = 16 << 20;

    public static byte[] ReadBytes(string path, int limit = DefaultLimit)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int n;
            while (buffer.Length < limit && (n = stream.Read(chunk.AsSpan(0, (int)Math.Min(chunk.Length, limit - buffer.Length)))) > 0)
                buffer.Write(chunk, 0, n);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static string ReadText(string path) => System.Text.Encoding.UTF8.GetString(ReadBytes(path));

    /// <summary>The file name of a process's executable (/proc/PID/exe, " (deleted)" removed), or null.</summary>
    public static string? ExecutableName(int pid) => ExecutableNameIn($"/proc/{pid}");

    /// <summary>The file name of the executable of the process whose /proc directory is <paramref name="proc"/>.</summary>
    public static string? ExecutableNameIn(string proc)
    {
        try
        {
            return new FileInfo($"{proc}/exe").LinkTarget is { } target
                ? Path.GetFileName(target.EndsWith(" (deleted)", StringComparison.Ordinal) ? target[..^" (deleted)".Length] : target)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A thread's state letter from /proc/PID/task/TID/stat ('t' tracing stop, 'T' stopped, 'Z' zombie), or '\0' if it is gone.</summary>
    public static char ThreadState(int pid, int tid)
    {
        string stat = ReadText($"/proc/{pid}/task/{tid}/stat");
        int close = stat.LastIndexOf(')');
        return close > 0 && close + 2 < stat.Length ? stat[close + 2] : '\0';
    }

    /// <summary>A "Key:\tvalue" line of a status file, or null.</summary>
    public static string? StatusValue(string status, string key)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(key, StringComparison.Ordinal) && line.Length > key.Length && line[key.Length] == ':')
                return line[(key.Length + 1)..].Trim();
        }
        return null;
    }

    /// <summary>The low 64 bits of a "Cpus_allowed" mask ("ff,ffffffff" groups of 32 bits).</summary>
    public static ulong ParseCpuMask(string? mask)
    {
        if (string.IsNullOrEmpty(mask))
            return 0;
        var groups = mask.Split(',');
        ulong value = 0;
        for (int i = 0; i < Math.Min(2, groups.Length); i++)
            value |= (ulong)uint.Parse(groups[^(i + 1)], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << (32 * i);
        return value;
    }
}
