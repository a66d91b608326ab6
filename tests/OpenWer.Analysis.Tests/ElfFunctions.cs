using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>The functions of a file (and of its separate debug file) holding a link-time address, as `readelf -s` gives their start and size.</summary>
public static class ElfFunctions
{
    public static IReadOnlySet<string> Containing(string file, ulong address)
    {
        var files = new List<string> { file };
        if (ReadElf.BuildId(file) is { Length: > 2 } id && File.Exists($"/usr/lib/debug/.build-id/{id[..2]}/{id[2..]}.debug"))
            files.Add($"/usr/lib/debug/.build-id/{id[..2]}/{id[2..]}.debug");
        var names = new HashSet<string>();
        foreach (var f in files)
        {
            foreach (var line in Tool.Run("readelf", ["-sW", f]).Output.Split('\n'))
            {
                var c = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (c.Length < 8 || c[3] != "FUNC" || !ulong.TryParse(c[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong value))
                    continue;
                ulong size = c[2].StartsWith("0x", StringComparison.Ordinal) ? Convert.ToUInt64(c[2][2..], 16) : ulong.Parse(c[2], CultureInfo.InvariantCulture);
                if (address >= value && address < value + size)
                    names.Add(c[7].Split('@')[0]);
            }
        }
        return names;
    }
}
