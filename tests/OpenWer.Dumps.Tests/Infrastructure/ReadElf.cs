using System.Text.RegularExpressions;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>`readelf -n`: the GNU build-id of a file, as binutils sees it.</summary>
public static partial class ReadElf
{
    public static string? BuildId(string path)
    {
        var result = Tool.Run("readelf", ["-n", path]);
        var m = BuildIdLine().Match(result.Output);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"Build ID: ([0-9a-f]+)")]
    private static partial Regex BuildIdLine();
}
