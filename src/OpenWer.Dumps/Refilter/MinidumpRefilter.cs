using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Output;
using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.Format.Reading;

namespace OpenWer.Dumps.Refilter;

/// <summary>Writes a smaller dump from a bigger one (a mini dump from a heap dump) without touching the process again.</summary>
public static class MinidumpRefilter
{
    public static string Derive(string source, string output, MinidumpType flags)
    {
        using var dump = MinidumpReader.Open(source);
        var snapshot = MinidumpSnapshot.Read(dump);
        var selection = DumpSelector.Select(snapshot, flags);
        AtomicDumpFile.Write(output, overwrite: true, stream => MinidumpComposer.Write(snapshot, selection, stream, DateTimeOffset.UtcNow));
        return output;
    }
}
