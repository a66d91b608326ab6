using System.Buffers.Binary;
using System.Text;
using OpenWer.Analysis.Memory;
using OpenWer.Analysis.Modules;

namespace OpenWer.Analysis.Crash;

/// <summary>
/// The text glibc left before it aborted: a failed assert() ("prog: file.c:6: main: Assertion `x > 5' failed."),
/// a fortify or malloc check ("free(): double free detected in tcache 2"). glibc writes it to a page of its own,
/// struct abort_msg_s { u32 size; char msg[]; }, and points libc's __abort_msg at it before it calls abort(). The
/// dump holds both only when it holds libc's data and that page (heap and full dumps; not mini or micro).
/// </summary>
public static class AbortMessage
{
    private const string Symbol = "__abort_msg";
    private const int MaxLength = 4096;

    /// <summary>The message, or null when the dump does not hold it (or glibc left none).</summary>
    public static string? Read(ModuleSet modules, DumpMemory memory)
    {
        foreach (var module in modules.Modules.Where(m => m.FileName.StartsWith("libc.so", StringComparison.Ordinal)))
        {
            if (modules.Image(module).DataAddressOf(Symbol) is not { } pointerAddress)
                continue;
            if (!memory.TryReadUInt64(pointerAddress, out ulong message) || message == 0)
                return null;
            Span<byte> head = stackalloc byte[4];
            if (memory.Read(message, head) != head.Length)
                return null;
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(head);
            // The size is the whole mapping's (a page or more); the text ends at its NUL within it.
            var text = new byte[(int)Math.Min(Math.Max(size, 4u) - 4, MaxLength)];
            int n = memory.Read(message + 4, text);
            int end = Array.IndexOf(text, (byte)0, 0, n);
            if (end < 0)
                end = n;
            return end == 0 ? null : Encoding.UTF8.GetString(text, 0, end).TrimEnd('\n');
        }
        return null;
    }
}
