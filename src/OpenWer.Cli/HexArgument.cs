using System.Globalization;

namespace OpenWer.Cli;

/// <summary>A hexadecimal number given on the command line, with or without its 0x.</summary>
public static class HexArgument
{
    public static bool TryParse(string text, out ulong value) =>
        ulong.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);

    /// <summary>MINIDUMP_TYPE flags of --flags; an <see cref="ArgumentException"/> says what is wrong.</summary>
    public static Format.MinidumpType Flags(string text) => TryParse(text, out ulong value)
        ? Dumps.DumpTypeFlags.Validate(value)
        : throw new ArgumentException($"--flags \"{text}\": not a hexadecimal number (e.g. 0x121)");
}
