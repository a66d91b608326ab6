using System.Text.Json;
using OpenWer.Analysis.Grouping;

namespace OpenWer.Analysis.Reports;

/// <summary>Several dumps grouped by signature as JSON (docs/analyze.md, "Several dumps").</summary>
public static class GroupJsonReport
{
    public static void Write(DumpGrouping grouping, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("dump_count", grouping.DumpCount);
        w.WriteNumber("group_count", grouping.Groups.Count);
        w.WriteStartArray("groups");
        foreach (var g in grouping.Groups)
        {
            w.WriteStartObject();
            w.WriteString("signature", g.Signature);
            w.WriteNumber("count", g.Count);
            w.WriteString("first_time", g.FirstTime.UtcDateTime);
            w.WriteString("last_time", g.LastTime.UtcDateTime);
            w.WriteNumber("first_timestamp", g.FirstTime.ToUnixTimeSeconds());
            w.WriteNumber("last_timestamp", g.LastTime.ToUnixTimeSeconds());
            Strings(w, "versions", g.Versions);
            Strings(w, "app_build_ids", g.AppBuildIds);
            w.WriteString("example", g.Example.Path);
            w.WriteStartArray("buckets");
            foreach (var b in g.Buckets)
                JsonReport.WriteBucket(w, b);
            w.WriteEndArray();
            Strings(w, "dumps", [.. g.Dumps.Select(d => d.Path)]);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("unreadable");
        foreach (var bad in grouping.Unreadable)
        {
            w.WriteStartObject();
            w.WriteString("path", bad.Path);
            w.WriteString("problem", bad.Problem);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
