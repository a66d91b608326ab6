namespace OpenWer.Format.Writing;

/// <summary>Where the bytes of a process's memory come from while a dump is written: a live process, a core file, another dump.</summary>
public interface IMemorySource
{
    /// <summary>Reads from <paramref name="address"/>; returns how many bytes were read, fewer (or 0) where memory is unreadable.</summary>
    int Read(ulong address, Span<byte> destination);
}
