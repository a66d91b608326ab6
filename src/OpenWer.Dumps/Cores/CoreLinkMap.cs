using System.Buffers.Binary;
using System.Text;
using OpenWer.Snapshot;

namespace OpenWer.Dumps.Cores;

/// <summary>Bytes the core shows at an address in place of (or in addition to) what the dump holds.</summary>
public sealed record CoreOverlay(ulong Address, byte[] Bytes)
{
    public ulong End => Address + (ulong)Bytes.Length;
}

/// <summary>
/// gdb finds the shared libraries of a core through the dynamic linker's r_debug: the DT_DEBUG entry of the
/// executable's dynamic section points at it, and r_map at the link_map chain. A mini dump holds none of that memory,
/// but its LINUX_DSO_DEBUG stream keeps the chain; as Breakpad's minidump-2-core does, the chain is then written anew
/// in a page no mapping uses and the dynamic section (whose bytes the stream also keeps) is shown with DT_DEBUG
/// pointing at it. When the dump holds a chain gdb can walk, nothing is changed.
/// </summary>
public static class CoreLinkMap
{
    private const long DT_NULL = 0, DT_DEBUG = 21;
    private const int RtConsistent = 0, MaxChain = 4096;

    public static List<CoreOverlay> For(ProcessSnapshot snapshot, CoreClass c)
    {
        if (snapshot.DynamicLinker is not { } linker || linker.DynamicAddress == 0 || DebugEntry(linker.DynamicSection, c) is not int entry)
            return [];
        if (ChainReadable(snapshot.Memory, linker.DynamicAddress + (ulong)entry + (ulong)c.WordSize, c))
            return [];
        ulong at = FreePage(snapshot.Mappings, linker.Objects, c);
        var image = Image(linker, at, c);
        var dynamic = (byte[])linker.DynamicSection.Clone();
        c.WriteWord(dynamic.AsSpan(entry + c.WordSize), at);
        return [new CoreOverlay(at, image), new CoreOverlay(linker.DynamicAddress, dynamic)];
    }

    /// <summary>The offset of the DT_DEBUG entry in the dynamic section (Elf_Dyn: d_tag, d_val, words of the class), or null.</summary>
    private static int? DebugEntry(byte[] dynamic, CoreClass c)
    {
        int size = 2 * c.WordSize;
        for (int at = 0; at + size <= dynamic.Length; at += size)
        {
            long tag = c.Is64 ? BinaryPrimitives.ReadInt64LittleEndian(dynamic.AsSpan(at)) : BinaryPrimitives.ReadInt32LittleEndian(dynamic.AsSpan(at));
            if (tag == DT_DEBUG)
                return at;
            if (tag == DT_NULL)
                break;
        }
        return null;
    }

    /// <summary>Whether the dump holds DT_DEBUG's value, the r_debug it points at and every link_map of its chain with a name.</summary>
    private static bool ChainReadable(Format.Writing.IMemorySource memory, ulong debugValue, CoreClass c)
    {
        int w = c.WordSize;
        var word = new byte[w];
        ulong? Word(ulong address) => memory.Read(address, word) == w ? (c.Is64 ? BinaryPrimitives.ReadUInt64LittleEndian(word) : BinaryPrimitives.ReadUInt32LittleEndian(word)) : null;
        if (Word(debugValue) is not ulong debug || debug == 0 || Word(debug + (ulong)w) is not ulong map || map == 0)
            return false;
        var name = new byte[1];
        for (int i = 0; i < MaxChain && map != 0; i++)
        {
            // struct link_map: l_addr, l_name, l_ld, l_next, l_prev.
            if (Word(map + (ulong)w) is not ulong l_name || (l_name != 0 && memory.Read(l_name, name) != 1) || Word(map + 3 * (ulong)w) is not ulong next)
                return false;
            map = next;
        }
        return map == 0;
    }

    /// <summary>A page-aligned address below every mapping, from 0x1000 up (Breakpad's choice), or past the last one.</summary>
    private static ulong FreePage(IReadOnlyList<Mapping> mappings, IReadOnlyList<LoadedObject> objects, CoreClass c)
    {
        ulong need = (ulong)(8 * c.WordSize + objects.Sum(o => 5 * c.WordSize + Encoding.UTF8.GetByteCount(o.Name) + 8) + 4095) & ~4095UL;
        ulong at = 0x1000;
        foreach (var m in mappings.OrderBy(m => m.Start))
        {
            if (m.Start >= at + need)
                return at;
            at = Math.Max(at, (m.End + 4095) & ~4095UL);
        }
        return at;
    }

    /// <summary>r_debug {r_version, r_map, r_brk, r_state, r_ldbase} then each link_map {l_addr, l_name, l_ld, l_next, l_prev} and its name.</summary>
    private static byte[] Image(DynamicLinkerSnapshot linker, ulong at, CoreClass c)
    {
        int w = c.WordSize, debugSize = 5 * w, entrySize = 5 * w;
        var names = linker.Objects.Select(o => Encoding.UTF8.GetBytes(o.Name + "\0")).ToList();
        var addresses = new List<ulong>();
        ulong next = at + (ulong)debugSize;
        foreach (var n in names)
        {
            addresses.Add(next);
            next += (ulong)(entrySize + ((n.Length + w - 1) & ~(w - 1)));
        }
        var image = new byte[next - at];
        var s = image.AsSpan();
        // r_version and r_state are ints; on a 64-bit process each takes a word's slot (padding after it).
        BinaryPrimitives.WriteInt32LittleEndian(s, linker.Version == 0 ? 1 : linker.Version);
        c.WriteWord(s[w..], addresses.Count > 0 ? addresses[0] : 0);
        c.WriteWord(s[(2 * w)..], linker.Brk);
        BinaryPrimitives.WriteInt32LittleEndian(s[(3 * w)..], RtConsistent);
        c.WriteWord(s[(4 * w)..], linker.LdBase);
        for (int i = 0; i < names.Count; i++)
        {
            var e = s[(int)(addresses[i] - at)..];
            c.WriteWord(e, linker.Objects[i].LoadBias);
            c.WriteWord(e[w..], addresses[i] + (ulong)entrySize);
            c.WriteWord(e[(2 * w)..], linker.Objects[i].DynamicAddress);
            c.WriteWord(e[(3 * w)..], i + 1 < names.Count ? addresses[i + 1] : 0);
            c.WriteWord(e[(4 * w)..], i > 0 ? addresses[i - 1] : 0);
            names[i].CopyTo(e[entrySize..]);
        }
        return image;
    }
}
