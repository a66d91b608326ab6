using System.Globalization;
using System.Text;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// What the kernel passes through <see cref="Specifiers"/>, taken by position from the raw bytes of the
/// handler's command line. These are data: a thread name (%e) or host name (%h) is chosen by the crashing
/// process and may look like an option, hold spaces, or not be UTF-8; nothing here interprets them.
/// The kernel (5.3 and later) splits the pattern into words before it expands them, so each specifier is
/// exactly one argument, an empty one when it expands to nothing.
/// </summary>
public sealed record CrashHandlerArguments(
    string PidFd, int Pid, int Tid, uint Uid, uint Gid, int Signal, long Time, int DumpMode,
    string CoreLimit, string Cpu, string NamespacePid, string NamespaceTid, byte[] Host, byte[] Comm, byte[] ExeFile, byte[] ExePath)
{
    /// <summary>Every specifier the kernel has, so a previous handler's pattern can be expanded whatever it asks for.</summary>
    public const string Specifiers = "%F %P %I %u %g %s %t %d %c %C %p %i %h %e %f %E";
    private static readonly int Count = Specifiers.Split(' ').Length;

    /// <summary>The kernel hands the pidfd (%F) as this descriptor.</summary>
    public const int PidFdNumber = 3;

    public bool HasPidFd => PidFd.Length > 0;

    /// <summary>Parses the words after "localdumps handle"; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static CrashHandlerArguments Parse(IReadOnlyList<byte[]> words)
    {
        if (words.Count != Count)
            throw new FormatException($"the kernel passed {words.Count} arguments, not the {Count} of `{Specifiers}`: core_pattern was not written by this version's `wer localdumps enable`; run it again");
        string T(int i) => Encoding.ASCII.GetString(words[i]);
        int I(int i) => int.TryParse(T(i), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : throw Bad(i);
        uint U(int i) => uint.TryParse(T(i), NumberStyles.None, CultureInfo.InvariantCulture, out uint v) ? v : throw Bad(i);
        long L(int i) => long.TryParse(T(i), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : throw Bad(i);
        FormatException Bad(int i) => new($"argument {i + 1} ({Specifiers.Split(' ')[i]}) is not a number: {LogText.Escape(words[i])}");
        string pidfd = T(0);
        if (pidfd.Length > 0 && pidfd != PidFdNumber.ToString(CultureInfo.InvariantCulture))
            throw new FormatException($"%F expanded to {LogText.Escape(words[0])}, not the descriptor {PidFdNumber} the kernel uses");
        return new CrashHandlerArguments(pidfd, I(1), I(2), U(3), U(4), I(5), L(6), I(7), T(8), T(9), T(10), T(11),
            words[12], words[13], words[14], words[15]);
    }

    /// <summary>
    /// The arguments of a previous pipe handler: its pattern split into words first (as the kernel does), then each
    /// word expanded, so a value with spaces or dashes stays inside its one argument.
    /// </summary>
    public List<byte[]> ExpandPattern(string pattern)
    {
        var words = new List<byte[]>();
        foreach (var word in pattern.Split([' ', '\t', '\n', '\v', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries))
            words.Add(ExpandWord(word));
        return words;
    }

    private byte[] ExpandWord(string word)
    {
        var text = new List<byte>();
        void Add(string s) => text.AddRange(Encoding.UTF8.GetBytes(s));
        for (int i = 0; i < word.Length; i++)
        {
            if (word[i] != '%' || i + 1 >= word.Length)
            {
                Add(word[i].ToString());
                continue;
            }
            char c = word[++i];
            switch (c)
            {
                case '%': Add("%"); break;
                case 'P': Add(Pid.ToString(CultureInfo.InvariantCulture)); break;
                case 'I': Add(Tid.ToString(CultureInfo.InvariantCulture)); break;
                case 'p': Add(NamespacePid); break;
                case 'i': Add(NamespaceTid); break;
                case 'u': Add(Uid.ToString(CultureInfo.InvariantCulture)); break;
                case 'g': Add(Gid.ToString(CultureInfo.InvariantCulture)); break;
                case 's': Add(Signal.ToString(CultureInfo.InvariantCulture)); break;
                case 't': Add(Time.ToString(CultureInfo.InvariantCulture)); break;
                case 'd': Add(DumpMode.ToString(CultureInfo.InvariantCulture)); break;
                case 'c': Add(CoreLimit); break;
                case 'C': Add(Cpu); break;
                case 'F': Add(PidFd); break;
                case 'h': text.AddRange(Host); break;
                case 'e': text.AddRange(Comm); break;
                case 'f': text.AddRange(ExeFile); break;
                case 'E': text.AddRange(ExePath); break;
                default: break; // the kernel drops an unknown specifier
            }
        }
        return [.. text];
    }
}
