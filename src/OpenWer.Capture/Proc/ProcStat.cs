using System.Globalization;

namespace OpenWer.Capture.Proc;

/// <summary>Fields of /proc/PID/stat (or task/TID/stat), numbered as in proc(5); the comm field may hold spaces and parentheses.</summary>
public sealed class ProcStat
{
    private readonly string[] _fields;

    private ProcStat(string[] fields) => _fields = fields;

    public static ProcStat Parse(string text)
    {
        int close = text.LastIndexOf(')');
        if (close < 0)
            throw new FormatException("stat has no ')' after comm");
        // Field 3 (state) is the first after the comm.
        return new ProcStat(text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Field number n of proc(5) (1-based; n >= 3).</summary>
    public ulong Field(int n) => ulong.Parse(_fields[n - 3], CultureInfo.InvariantCulture);

    public ulong UserTicks => Field(14);
    public ulong SystemTicks => Field(15);
    public ulong StartTicks => Field(22);
}
