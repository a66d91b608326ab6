using System.Buffers.Binary;
using OpenWer.Analysis.Elf;

namespace OpenWer.Analysis.Modules;

/// <summary>
/// A module's .gnu_debuglink: the name of its separate debug file and that file's CRC32, and the places a debugger
/// looks for it (beside the module, in a .debug folder beside it, under a debug root plus the module's folder).
/// A candidate counts only if its CRC32 is the link's: the name alone says nothing about which build it is.
/// </summary>
public static class DebugLink
{
    private static readonly uint[] Table = MakeTable();

    /// <summary>The linked file's name and CRC32, or null when the module has no (well-formed) link.</summary>
    public static (string Name, uint Crc)? Read(ElfFile module)
    {
        if (module.FindSection(".gnu_debuglink") is not { } section || section.Size > 4096 || module.ReadSection(section) is not { } bytes)
            return null;
        int end = Array.IndexOf(bytes, (byte)0);
        int crcAt = (end + 4) & ~3;
        if (end <= 0 || crcAt + 4 > bytes.Length)
            return null;
        string name = System.Text.Encoding.UTF8.GetString(bytes, 0, end);
        // A name is a file name, never a path: a link cannot point outside the places searched.
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            return null;
        return (name, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(crcAt)));
    }

    /// <summary>Where the linked file is looked for, in the order a debugger looks.</summary>
    public static IEnumerable<string> Candidates(string modulePath, string name, IEnumerable<string> debugRoots)
    {
        string folder = Path.GetDirectoryName(modulePath) ?? "/";
        yield return Path.Combine(folder, name);
        yield return Path.Combine(folder, ".debug", name);
        foreach (var root in debugRoots)
            yield return Path.Join(root, folder, name);
    }

    /// <summary>The CRC32 (the one of zlib and gdb's gnu_debuglink_crc32) of a whole file, or null when it cannot be read.</summary>
    public static uint? FileCrc(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var buffer = new byte[1 << 16];
            uint crc = 0xFFFF_FFFF;
            for (int n; (n = stream.Read(buffer)) > 0;)
                foreach (byte b in buffer.AsSpan(0, n))
                    crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
