using System.Buffers.Binary;
using OpenWer.Format.Reading;

namespace OpenWer.Analysis.Memory;

/// <summary>
/// The process memory the dump holds, and nothing else: a read outside it fails rather than guessing. Reads are
/// counted so that one walk over hostile data stays bounded.
/// </summary>
public sealed class DumpMemory(MinidumpReader reader)
{
    private long _reads;

    /// <summary>How many reads were made: a walk's budget is checked against it.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Reads what the dump holds at the address; returns the number of bytes present from the start.</summary>
    public int Read(ulong address, Span<byte> destination)
    {
        Interlocked.Increment(ref _reads);
        if (address + (ulong)destination.Length < address)
            return 0;
        return reader.ReadMemory(address, destination);
    }

    public bool TryReadUInt64(ulong address, out ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        bool ok = Read(address, b) == 8;
        value = ok ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0;
        return ok;
    }
}
