using System.Globalization;
using OpenWer.Analysis.Grouping;

namespace OpenWer.Analysis.Reports;

/// <summary>Several dumps as a table, one row per signature, the largest group first; then the files that could not be read.</summary>
public static class GroupTextReport
{
    public static void Write(DumpGrouping grouping, TextWriter o)
    {
        o.WriteLine($"{grouping.DumpCount} dump(s) in {grouping.Groups.Count} group(s)" +
            (grouping.Unreadable.Count > 0 ? $"; {grouping.Unreadable.Count} file(s) could not be read" : ""));
        if (grouping.Groups.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"{"count",5}  {"first (UTC)",-19}  {"last (UTC)",-19}  {"versions",-20}  signature");
            foreach (var g in grouping.Groups)
            {
                o.WriteLine($"{g.Count,5}  {Time(g.FirstTime),-19}  {Time(g.LastTime),-19}  {Versions(g),-20}  {g.Signature}");
                foreach (var bucket in g.Buckets)
                    o.WriteLine($"{"",5}  bucket: {bucket.Key}");
                o.WriteLine($"{"",5}  example: {g.Example.Path}");
            }
        }
        foreach (var bad in grouping.Unreadable)
            o.WriteLine($"unreadable: {bad.Path}: {bad.Problem}");
    }

    // Linux dumps seldom carry a version: the application's build-id (shortened, as git does) tells builds apart.
    private static string Versions(DumpGroup g) =>
        g.Versions.Count > 0 ? string.Join(",", g.Versions) : g.AppBuildIds.Count > 0 ? string.Join(",", g.AppBuildIds.Select(id => "build " + id[..Math.Min(12, id.Length)])) : "-";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
