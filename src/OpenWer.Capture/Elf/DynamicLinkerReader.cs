using System.Buffers.Binary;
using System.Text;
using OpenWer.Snapshot;
using OpenWer.Format.Writing;

namespace OpenWer.Capture.Elf;

/// <summary>
/// Reads the dynamic linker's r_debug from a process's memory, as a debugger finds it: the executable's program
/// headers (AT_PHDR, AT_PHNUM) give its PT_DYNAMIC, whose DT_DEBUG entry the linker points at r_debug, whose r_map
/// heads the link_map chain. The memory is the process's own, which it may have scribbled over when it crashed:
/// every count is bounded and a broken chain ends the walk instead of failing the dump.
/// </summary>
public static class DynamicLinkerReader
{
    private const ulong AT_PHDR = 3, AT_PHNUM = 5;
    private const uint PT_LOAD = 1, PT_DYNAMIC = 2, PT_PHDR = 6;
    private const long DT_NULL = 0, DT_DEBUG = 21;
    private const int MaxProgramHeaders = 4096, MaxDynamicEntries = 4096, MaxObjects = 16384, MaxNameBytes = 4096;

    /// <param name="wordSize">8 for a 64-bit process, 4 for a 32-bit one: the size of its pointers in these structures.</param>
    public static DynamicLinkerSnapshot? Read(IMemorySource memory, IReadOnlyDictionary<ulong, ulong> auxv, int wordSize)
    {
        if (!auxv.TryGetValue(AT_PHDR, out ulong phdr) || !auxv.TryGetValue(AT_PHNUM, out ulong phnum) || phnum == 0)
            return null;
        if (FindDynamic(memory, phdr, (int)Math.Min(phnum, MaxProgramHeaders), wordSize) is not ulong dynamic)
            return null;

        int entrySize = 2 * wordSize;
        var section = new List<byte>();
        ulong rDebug = 0;
        var entry = new byte[entrySize];
        for (int i = 0; i < MaxDynamicEntries; i++)
        {
            if (memory.Read(dynamic + (ulong)(i * entrySize), entry) < entrySize)
                return null;
            section.AddRange(entry);
            long tag = wordSize == 8 ? BinaryPrimitives.ReadInt64LittleEndian(entry) : BinaryPrimitives.ReadInt32LittleEndian(entry);
            if (tag == DT_DEBUG)
                rDebug = Word(entry, wordSize, wordSize);
            else if (tag == DT_NULL)
                break;
        }
        // DT_DEBUG is 0 until the linker has run (a static executable has none at all): nothing to say then.
        if (rDebug == 0)
            return null;

        var header = new byte[5 * wordSize];
        if (memory.Read(rDebug, header) < header.Length)
            return null;
        int version = BinaryPrimitives.ReadInt32LittleEndian(header);
        ulong map = Word(header, wordSize, wordSize), brk = Word(header, 2 * wordSize, wordSize), ldBase = Word(header, 4 * wordSize, wordSize);
        return new DynamicLinkerSnapshot(version, brk, ldBase, dynamic, [.. section], Chain(memory, map, wordSize));
    }

    /// <summary>The run-time address of the executable's PT_DYNAMIC, or null if it has none.</summary>
    private static ulong? FindDynamic(IMemorySource memory, ulong phdr, int count, int wordSize)
    {
        int size = wordSize == 8 ? 56 : 32;
        var headers = new byte[count * size];
        if (memory.Read(phdr, headers) < headers.Length)
            return null;
        ulong? dynamicVaddr = null, phdrVaddr = null, firstLoadVaddr = null;
        for (int i = 0; i < count; i++)
        {
            var h = headers.AsSpan(i * size, size);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(h);
            ulong offset = wordSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(h[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            ulong vaddr = wordSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(h[16..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[8..]);
            if (type == PT_DYNAMIC) dynamicVaddr = vaddr;
            else if (type == PT_PHDR) phdrVaddr = vaddr;
            else if (type == PT_LOAD && offset == 0 && firstLoadVaddr is null) firstLoadVaddr = vaddr;
        }
        if (dynamicVaddr is not ulong d)
            return null;
        // The load bias: from PT_PHDR when there is one; else, as Breakpad does, taking the page of the program
        // headers for the start of the file's offset-0 segment.
        ulong bias = phdrVaddr is ulong p ? phdr - p : (phdr & ~0xFFFUL) - (firstLoadVaddr ?? 0);
        return d + bias;
    }

    private static List<LoadedObject> Chain(IMemorySource memory, ulong map, int wordSize)
    {
        var objects = new List<LoadedObject>();
        var seen = new HashSet<ulong>();
        var node = new byte[4 * wordSize];
        while (map != 0 && objects.Count < MaxObjects && seen.Add(map) && memory.Read(map, node) == node.Length)
        {
            objects.Add(new LoadedObject(Word(node, 0, wordSize), ReadName(memory, Word(node, wordSize, wordSize)), Word(node, 2 * wordSize, wordSize)));
            map = Word(node, 3 * wordSize, wordSize);
        }
        return objects;
    }

    private static string ReadName(IMemorySource memory, ulong address)
    {
        if (address == 0)
            return "";
        var bytes = new byte[MaxNameBytes];
        int n = memory.Read(address, bytes);
        int end = bytes.AsSpan(0, Math.Max(n, 0)).IndexOf((byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? Math.Max(n, 0) : end);
    }

    private static ulong Word(ReadOnlySpan<byte> s, int offset, int wordSize) =>
        wordSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(s[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[offset..]);
}
