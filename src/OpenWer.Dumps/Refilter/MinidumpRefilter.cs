using OpenWer.Format;
using OpenWer.Snapshot;

namespace OpenWer.Dumps.Refilter;

/// <summary>Writes a smaller dump from a bigger one (a mini dump from a heap dump) without touching the process again.</summary>
public static class MinidumpRefilter
{
    public static string Derive(string source, string output, MinidumpType flags)
    {
        using ISnapshotSource dump = MinidumpSource.Open(source);
        SnapshotDumper.WriteFile(dump.Snapshot, flags, onlyThread: null, output, overwrite: true);
        return output;
    }
}
