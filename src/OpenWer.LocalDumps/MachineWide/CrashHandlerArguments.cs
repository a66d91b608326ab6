using System.Globalization;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>What the kernel passes through <see cref="CorePatternRegistration.Specifiers"/>.</summary>
public sealed record CrashHandlerArguments(int Pid, int Tid, uint Uid, uint Gid, int Signal, long Time, int DumpMode, string Host, string CoreLimit, string Comm, bool HasPidFd)
{
    public static CrashHandlerArguments Parse(IReadOnlyList<string> a)
    {
        if (a.Count < 10)
            throw new ArgumentException($"the crash handler expects the core_pattern specifiers {CorePatternRegistration.Specifiers}");
        int I(int i) => int.Parse(a[i], CultureInfo.InvariantCulture);
        return new CrashHandlerArguments(I(0), I(1), uint.Parse(a[2], CultureInfo.InvariantCulture), uint.Parse(a[3], CultureInfo.InvariantCulture),
            I(4), long.Parse(a[5], CultureInfo.InvariantCulture), I(6), a[7], a[8], a[9], a.Count > 10 && a[10] == "3");
    }

    /// <summary>Expands a previous pipe handler's pattern with the values we were given (%% and the specifiers we know).</summary>
    public string Expand(string pattern)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 >= pattern.Length)
            {
                text.Append(pattern[i]);
                continue;
            }
            char c = pattern[++i];
            text.Append(c switch
            {
                '%' => "%",
                'P' or 'p' => Pid.ToString(CultureInfo.InvariantCulture),
                'I' or 'i' => Tid.ToString(CultureInfo.InvariantCulture),
                'u' => Uid.ToString(CultureInfo.InvariantCulture),
                'g' => Gid.ToString(CultureInfo.InvariantCulture),
                's' => Signal.ToString(CultureInfo.InvariantCulture),
                't' => Time.ToString(CultureInfo.InvariantCulture),
                'd' => DumpMode.ToString(CultureInfo.InvariantCulture),
                'h' => Host,
                'c' => CoreLimit,
                'e' => Comm,
                'F' => "3",
                _ => "",
            });
        }
        return text.ToString();
    }
}
