using System.Text;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Names chosen by a crashing process (its executable's file name, thread name, host name) made safe to print:
/// bytes that are not UTF-8, control characters and backslashes become \xNN / \\, so one log line stays one line
/// and says exactly which bytes the name had.
/// </summary>
public static class HandlerText
{
    public static string Escape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        while (!raw.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(raw, out var rune, out int used) == System.Buffers.OperationStatus.Done)
            {
                Append(text, rune);
                raw = raw[used..];
            }
            else
            {
                text.Append($"\\x{raw[0]:x2}");
                raw = raw[1..];
            }
        }
        return text.ToString();
    }

    public static string Escape(string text) => Escape(Encoding.UTF8.GetBytes(text));

    private static void Append(StringBuilder text, Rune rune)
    {
        int v = rune.Value;
        if (v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || v == 0x2028 || v == 0x2029)
            text.Append($"\\x{v:x2}");
        else if (v == '\\')
            text.Append("\\\\");
        else
            text.Append(rune.ToString());
    }
}
