using OpenWer.Format;
using OpenWer.Format.Reading;

namespace OpenWer.Dumps.Refilter;

/// <summary>Writes a smaller dump from a bigger one (a mini dump from a heap dump) without touching the process again.</summary>
public static class MinidumpRefilter
{
    public static string Derive(string source, string output, MinidumpType flags)
    {
        using var dump = MinidumpReader.Open(source);
        SnapshotDumper.WriteFile(MinidumpSnapshot.Read(dump), flags, onlyThread: null, output, overwrite: true);
        return output;
    }
}
