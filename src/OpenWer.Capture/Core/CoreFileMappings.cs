using System.Buffers.Binary;
using System.Text;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Core;

/// <summary>
/// The mappings of the process a core file was written of: its PT_LOAD segments, named and given their file
/// offsets by the NT_FILE note (count, page size, then start, end, page offset per file, then the names). A
/// segment no NT_FILE entry covers was anonymous memory.
/// </summary>
public static class CoreFileMappings
{
    public static List<Mapping> From(IReadOnlyList<CoreSegment> segments, byte[]? mappedFiles, int wordSize)
    {
        var files = ParseFiles(mappedFiles, wordSize);
        var inodes = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var list = new List<Mapping>();
        foreach (var s in segments.OrderBy(s => s.Address))
        {
            var file = files.FirstOrDefault(f => s.Address >= f.Start && s.Address < f.End);
            string path = file.Path ?? "";
            // The core keeps no inode; one made up per file keeps a file's mappings together as one module's.
            ulong inode = path.Length == 0 ? 0 : inodes.TryGetValue(path, out var known) ? known : inodes[path] = (ulong)inodes.Count + 1;
            ulong offset = path.Length == 0 ? 0 : file.Offset + (s.Address - file.Start);
            list.Add(new Mapping(s.Address, s.Address + s.MemorySize, s.Read, s.Write, s.Execute, false, offset, path.Length == 0 ? "00:00" : "00:01",
                inode, path)
            { HeldEnd = s.Address + s.FileSize });
        }
        return list;
    }

    /// <summary>The /proc/PID/maps text of these mappings, for LINUX_MAPS (devices and inodes are not in a core).</summary>
    public static byte[] MapsText(IEnumerable<Mapping> mappings)
    {
        var text = new StringBuilder();
        foreach (var m in mappings)
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{m.Start:x}-{m.End:x} {m.Permissions} {m.Offset:x8} 00:00 {(m.Path.Length == 0 ? 0 : m.Inode)} {m.Path}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static List<(ulong Start, ulong End, ulong Offset, string? Path)> ParseFiles(byte[]? note, int wordSize)
    {
        var files = new List<(ulong, ulong, ulong, string?)>();
        if (note is null || note.Length < 2 * wordSize)
            return files;
        ulong Word(int at) => wordSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(note.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(note.AsSpan(at));
        ulong count = Word(0), pageSize = Word(wordSize);
        int names = 2 * wordSize + (int)Math.Min(count, (ulong)note.Length) * 3 * wordSize;
        if (count > (ulong)note.Length / (3UL * (ulong)wordSize) || names > note.Length)
            return files; // a cut or lying note: its names cannot be found, so none is used
        int at = names;
        for (int i = 0; i < (int)count && at < note.Length; i++)
        {
            int end = Array.IndexOf(note, (byte)0, at);
            if (end < 0) end = note.Length;
            int entry = 2 * wordSize + i * 3 * wordSize;
            files.Add((Word(entry), Word(entry + wordSize), Word(entry + 2 * wordSize) * pageSize, Encoding.UTF8.GetString(note, at, end - at)));
            at = end + 1;
        }
        return files;
    }
}
