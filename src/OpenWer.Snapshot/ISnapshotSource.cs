namespace OpenWer.Snapshot;

/// <summary>
/// Where a snapshot comes from: a live process (held stopped), a core file, a minidump. The snapshot's memory is read
/// through the source, so it is valid until the source is disposed; selection and composition need nothing else.
/// </summary>
public interface ISnapshotSource : IDisposable
{
    ProcessSnapshot Snapshot { get; }
}
