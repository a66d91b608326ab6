using Microsoft.Win32.SafeHandles;
using OpenWer.Format.Writing;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Core;

/// <summary>
/// The memory an ELF core file holds: each PT_LOAD segment's bytes at its address, as far as its p_filesz (a kernel
/// core leaves out most file-backed pages; past p_filesz nothing is known, and reads stop there).
/// </summary>
public sealed class CoreFileMemory(SafeFileHandle file, IReadOnlyList<CoreSegment> segments) : IMemorySource
{
    private readonly CoreSegment[] _segments = [.. segments.OrderBy(s => s.Address)];

    public int Read(ulong address, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = address + (ulong)done;
            var s = Find(at);
            if (s is not { } segment || at >= segment.Address + segment.FileSize)
                break;
            ulong available = segment.Address + segment.FileSize - at;
            int want = (int)Math.Min((ulong)(destination.Length - done), available);
            int n = RandomAccess.Read(file, destination.Slice(done, want), (long)(segment.Offset + (at - segment.Address)));
            if (n <= 0)
                break;
            done += n;
        }
        return done;
    }

    private CoreSegment? Find(ulong address) => AddressRanges.IndexOf(_segments, address) is int i and >= 0 ? _segments[i] : null;
}

/// <summary>A PT_LOAD segment of a core: where it was in the process, how much of it the file holds and where.</summary>
public readonly record struct CoreSegment(ulong Address, ulong MemorySize, ulong Offset, ulong FileSize, bool Read, bool Write, bool Execute)
    : IAddressRange
{
    public ulong Start => Address;
    public ulong End => Address + MemorySize;
}
