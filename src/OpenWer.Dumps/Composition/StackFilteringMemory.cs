using System.Buffers.Binary;
using OpenWer.Capture.Snapshot;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Composition;

/// <summary>
/// FilterMemory: stack bytes are written with every 8-byte word zeroed except the ones a stack walk needs,
/// values that point into a module's code (return addresses) or into a stack (saved frame pointers).
/// </summary>
public sealed class StackFilteringMemory(IMemorySource inner, IReadOnlyList<MemoryRange> stacks, IReadOnlyList<ModuleSnapshot> modules) : IMemorySource
{
    private readonly ModuleSegment[] _code = [.. modules.SelectMany(m => m.Segments).Where(s => s.Execute)];

    public int Read(ulong address, Span<byte> destination)
    {
        int n = inner.Read(address, destination);
        foreach (var s in stacks)
        {
            ulong start = Math.Max(s.Start, address), end = Math.Min(s.End, address + (ulong)n);
            // Words are aligned to 8 in the process's address space.
            for (ulong a = (start + 7) & ~7UL; a + 8 <= end; a += 8)
            {
                var word = destination.Slice((int)(a - address), 8);
                if (!Keep(BinaryPrimitives.ReadUInt64LittleEndian(word)))
                    word.Clear();
            }
        }
        return n;
    }

    private bool Keep(ulong value)
    {
        foreach (var c in _code)
            if (value >= c.Start && value < c.End) return true;
        foreach (var s in stacks)
            if (s.Contains(value)) return true;
        return false;
    }
}
