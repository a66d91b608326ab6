using System.Buffers;
using System.Globalization;
using System.Text;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Names a crashed process chose (its file name, its comm, paths below its user's home) made printable as one
/// line: whoever can name a file must not be able to write a line of our log or hide text from its reader.
/// <list type="bullet">
/// <item>C0 controls and DEL become <c>\xNN</c>; a backslash becomes <c>\\</c>, so every escape reads back one way;</item>
/// <item>C1 controls, the line and paragraph separators, bidirectional overrides, U+FFFD and lone surrogates become <c>\uXXXX</c>;</item>
/// <item>from raw bytes, each byte that is not part of valid UTF-8 becomes <c>\xNN</c> (always 80-FF, so never mistaken for a character).</item>
/// </list>
/// </summary>
public static class LogText
{
    /// <summary>The text with every control, separator and undecodable character escaped (see the class).</summary>
    public static string Escape(string? text) => text is null ? "" : Escape(text, escapeBackslash: true);

    /// <summary>A name read as bytes (readlink, a core_pattern argument): valid UTF-8 as text, escaped; other bytes as <c>\xNN</c>.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int used);
            if (status == OperationStatus.Done)
                AppendRune(text, rune, escapeBackslash: true);
            else
                foreach (byte b in bytes[..Math.Max(used, 1)])
                    text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            bytes = bytes[Math.Max(used, 1)..];
        }
        return text.ToString();
    }

    /// <summary>
    /// The last line of defence for a whole message: control and separator characters escaped, backslashes left
    /// as they are (the names in it are already escaped by <see cref="Escape(string)"/>), so a message is one line
    /// even if a caller forgot to escape a name.
    /// </summary>
    public static string OneLine(string message) => Escape(message, escapeBackslash: false);

    private static string Escape(string text, bool escapeBackslash)
    {
        if (!NeedsEscape(text, escapeBackslash))
            return text;
        var escaped = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            if (Rune.TryGetRuneAt(text, i, out Rune rune))
            {
                AppendRune(escaped, rune, escapeBackslash);
                i += rune.Utf16SequenceLength - 1;
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)text[i]:x4}"); // a lone surrogate
            }
        }
        return escaped.ToString();
    }

    private static bool NeedsEscape(string text, bool escapeBackslash)
    {
        foreach (char c in text)
            if (c < 0x20 || c >= 0x7f || (escapeBackslash && c == '\\'))
                return true; // beyond ASCII: let the careful path decide
        return false;
    }

    private static void AppendRune(StringBuilder text, Rune rune, bool escapeBackslash)
    {
        int v = rune.Value;
        if (v < 0x20 || v == 0x7f)
            text.Append(CultureInfo.InvariantCulture, $"\\x{v:x2}");
        else if (v == '\\' && escapeBackslash)
            text.Append("\\\\");
        else if (IsHidden(v))
            text.Append(CultureInfo.InvariantCulture, $"\\u{v:x4}");
        else
            text.Append(rune.ToString());
    }

    /// <summary>Characters that break a line, reorder what a reader sees, or stand for bytes that were lost.</summary>
    private static bool IsHidden(int v) =>
        v is (>= 0x80 and <= 0x9f) or 0x2028 or 0x2029 or 0x200e or 0x200f or (>= 0x202a and <= 0x202e) or (>= 0x2066 and <= 0x2069) or 0xfeff or 0xfffd;
}
