using System.Runtime.InteropServices;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// A process's executable file name for the log, from the bytes readlink(2) gives: .NET's link target turns bytes
/// that are not UTF-8 into U+FFFD, and a reader of the log should see which bytes the name really holds.
/// </summary>
public static partial class ExecutableFileName
{
    private static ReadOnlySpan<byte> Deleted => " (deleted)"u8;

    /// <summary>The escaped (<see cref="LogText.Escape(ReadOnlySpan{byte})"/>) file name of /proc/PID/exe, or null if it cannot be read.</summary>
    public static string? Printable(int pid) => Printable($"/proc/{pid}");

    /// <summary>The same, for the process whose /proc directory is <paramref name="procDirectory"/> (a pidfd-proven one).</summary>
    public static string? Printable(string procDirectory)
    {
        var target = new byte[4096];
        nint n = LibC.ReadLink($"{procDirectory}/exe", target, (nuint)target.Length);
        if (n <= 0)
            return null;
        ReadOnlySpan<byte> path = target.AsSpan(0, (int)n);
        if (path.EndsWith(Deleted))
            path = path[..^Deleted.Length];
        return LogText.Escape(path[(path.LastIndexOf((byte)'/') + 1)..]);
    }

}
