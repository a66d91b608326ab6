using System.Globalization;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Proc;

/// <summary>Parses /proc/PID/maps: "start-end perms offset dev inode path".</summary>
public static class ProcMaps
{
    public static List<Mapping> Parse(string text)
    {
        var list = new List<Mapping>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty)
                continue;
            var rest = line;
            var range = NextField(ref rest);
            var perms = NextField(ref rest);
            var offset = NextField(ref rest);
            var dev = NextField(ref rest);
            var inode = NextField(ref rest);
            string path = rest.Trim().ToString();
            int dash = range.IndexOf('-');
            if (dash < 0 || perms.Length < 4)
                throw new FormatException($"unexpected line in maps: {raw}");
            list.Add(new Mapping(
                ulong.Parse(range[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                perms[0] == 'r', perms[1] == 'w', perms[2] == 'x', perms[3] == 's',
                ulong.Parse(offset, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                dev.ToString(), ulong.Parse(inode, CultureInfo.InvariantCulture), path));
        }
        return list;
    }

    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart(' ');
        int space = rest.IndexOf(' ');
        var field = space < 0 ? rest : rest[..space];
        rest = space < 0 ? [] : rest[space..];
        return field;
    }
}
