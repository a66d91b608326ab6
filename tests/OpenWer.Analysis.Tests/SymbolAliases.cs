using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// Every function name at an address of a file and of its separate debug file, as `readelf -s` lists them: gdb may
/// name a function by another alias (__GI_raise for raise) than the one we print, and both are the same function.
/// </summary>
public static class SymbolAliases
{
    private static readonly Dictionary<string, Dictionary<ulong, HashSet<string>>> Cache = [];
    private static readonly Lock Gate = new();

    public static IReadOnlySet<string> At(string file, ulong address)
    {
        lock (Gate)
        {
            if (!Cache.TryGetValue(file, out var table))
            {
                table = [];
                var files = new List<string> { file };
                if (ReadElf.BuildId(file) is { Length: > 2 } id && File.Exists($"/usr/lib/debug/.build-id/{id[..2]}/{id[2..]}.debug"))
                    files.Add($"/usr/lib/debug/.build-id/{id[..2]}/{id[2..]}.debug");
                foreach (var f in files)
                {
                    foreach (var line in Tool.Run("readelf", ["-sW", f]).Output.Split('\n'))
                    {
                        var c = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (c.Length < 8 || c[3] != "FUNC" || !ulong.TryParse(c[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong value))
                            continue;
                        string name = c[7].Split('@')[0];
                        if (!table.TryGetValue(value, out var names))
                            table[value] = names = [];
                        names.Add(name);
                    }
                }
                Cache[file] = table;
            }
            return table.TryGetValue(address, out var found) ? found : new HashSet<string>();
        }
    }
}
