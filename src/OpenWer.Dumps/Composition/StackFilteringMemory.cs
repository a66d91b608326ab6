using System.Buffers.Binary;
using OpenWer.Snapshot;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Composition;

/// <summary>
/// FilterMemory: stack bytes are written with every pointer-sized word (8 bytes, or 4 in a 32-bit process) zeroed
/// except the ones a stack walk needs, values that point into a module's code (return addresses) or into a stack
/// (saved frame pointers).
/// </summary>
public sealed class StackFilteringMemory(IMemorySource inner, IReadOnlyList<MemoryRange> stacks, IReadOnlyList<ModuleSnapshot> modules,
    int pointerSize = 8) : IMemorySource
{
    private readonly ModuleSegment[] _code = [.. modules.SelectMany(m => m.Segments).Where(s => s.Execute)];

    public int Read(ulong address, Span<byte> destination)
    {
        int n = inner.Read(address, destination);
        foreach (var s in stacks)
        {
            ulong start = Math.Max(s.Start, address), end = Math.Min(s.End, address + (ulong)n);
            // Words are aligned to their size in the process's address space.
            ulong size = (ulong)pointerSize;
            for (ulong a = (start + size - 1) & ~(size - 1); a + size <= end; a += size)
            {
                var word = destination.Slice((int)(a - address), pointerSize);
                ulong value = pointerSize == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(word) : BinaryPrimitives.ReadUInt64LittleEndian(word);
                if (!Keep(value))
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
