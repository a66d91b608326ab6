using OpenWer.Snapshot;
using OpenWer.Format.Reading;

namespace OpenWer.Dumps.Refilter;

/// <summary>A minidump as a snapshot source: the file stays open, for the snapshot's memory, until this is disposed.</summary>
public sealed class MinidumpSource : ISnapshotSource
{
    private readonly MinidumpReader _dump;

    public ProcessSnapshot Snapshot { get; }

    private MinidumpSource(MinidumpReader dump) => (_dump, Snapshot) = (dump, MinidumpSnapshot.Read(dump));

    public static MinidumpSource Open(string path)
    {
        var dump = MinidumpReader.Open(path);
        try
        {
            return new MinidumpSource(dump);
        }
        catch
        {
            dump.Dispose();
            throw;
        }
    }

    /// <summary>The address ranges whose bytes the dump holds (MemoryList and Memory64List), in file order.</summary>
    public IEnumerable<(ulong Start, ulong End)> HeldMemory() =>
        _dump.ReadMemoryList().Select(d => (d.StartOfMemoryRange, d.StartOfMemoryRange + d.Memory.DataSize))
            .Concat(_dump.ReadMemory64List().Ranges.Select(d => (d.StartOfMemoryRange, d.StartOfMemoryRange + d.DataSize)));

    public void Dispose() => _dump.Dispose();
}
