using OpenWer.Format.Writing;

namespace OpenWer.Format.Tests;

/// <summary>Process memory made of a few blocks, with holes that cannot be read.</summary>
public sealed class FakeMemory : IMemorySource
{
    private readonly List<(ulong Start, byte[] Bytes)> _blocks = [];

    public FakeMemory Add(ulong start, byte[] bytes)
    {
        _blocks.Add((start, bytes));
        return this;
    }

    public int Read(ulong address, Span<byte> destination)
    {
        foreach (var (start, bytes) in _blocks)
        {
            if (address >= start && address < start + (ulong)bytes.Length)
            {
                int offset = (int)(address - start);
                int n = Math.Min(destination.Length, bytes.Length - offset);
                bytes.AsSpan(offset, n).CopyTo(destination);
                return n;
            }
        }
        return 0;
    }

    public static byte[] Pattern(int length, byte seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
            bytes[i] = (byte)(seed + i * 7);
        return bytes;
    }
}
