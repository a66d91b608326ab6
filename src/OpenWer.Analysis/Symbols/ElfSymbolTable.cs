using System.Buffers.Binary;
using OpenWer.Analysis.Elf;

namespace OpenWer.Analysis.Symbols;

/// <summary>
/// The function symbols of .symtab and .dynsym (Elf64_Sym, 24 bytes), sorted by address, looked up by a
/// link-time address. Aliases at one address (raise, gsignal, __GI_raise) are kept, the global name first.
/// </summary>
public sealed class ElfSymbolTable
{
    private const int EntrySize = 24;
    private const byte SttObject = 1, SttFunc = 2, SttGnuIfunc = 10, StbGlobal = 1, StbWeak = 2;
    private readonly ElfSymbol[] _symbols;

    public int Count => _symbols.Length;

    private ElfSymbolTable(ElfSymbol[] symbols) => _symbols = symbols;

    public static ElfSymbolTable Empty { get; } = new([]);

    /// <summary>The function symbols (or, with <paramref name="data"/>, the data objects) of every symbol table of the given files, merged.</summary>
    public static ElfSymbolTable Read(IEnumerable<ElfFile> files, bool data = false)
    {
        var symbols = new List<ElfSymbol>();
        foreach (var file in files)
            foreach (var section in file.Sections)
                if (section.Type is ElfSection.TypeSymtab or ElfSection.TypeDynsym)
                    ReadTable(file, section, symbols, data);
        var ordered = symbols.Distinct()
            .OrderBy(s => s.Address).ThenBy(s => s.Rank).ThenBy(s => s.Name.StartsWith('_') ? 1 : 0).ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToArray();
        return new ElfSymbolTable(ordered);
    }

    private static void ReadTable(ElfFile file, ElfSection section, List<ElfSymbol> into, bool data)
    {
        if (section.Link >= file.Sections.Count || file.ReadSection(section) is not { } table || file.ReadSection(file.Sections[(int)section.Link]) is not { } names)
            return;
        for (int at = 0; at + EntrySize <= table.Length; at += EntrySize)
        {
            var e = table.AsSpan(at, EntrySize);
            byte info = e[4];
            int type = info & 0xF, bind = info >> 4;
            ushort sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]), size = BinaryPrimitives.ReadUInt64LittleEndian(e[16..]);
            bool wanted = data ? type == SttObject : type is SttFunc or SttGnuIfunc;
            if (!wanted || sectionIndex == 0 || value == 0)
                continue;
            string name = ElfFile.StringAt(names, BinaryPrimitives.ReadUInt32LittleEndian(e));
            if (name.Length == 0)
                continue;
            // A .symtab spells a symbol's version in its name ("pthread_kill@@GLIBC_2.34"); the function is "pthread_kill".
            int version = name.IndexOf('@', StringComparison.Ordinal);
            if (version > 0)
                name = name[..version];
            // GCC's hot/cold splitting names the cold part "f.cold"; it is still f, as a debugger shows it.
            if (name.EndsWith(".cold", StringComparison.Ordinal))
                name = name[..^5];
            // Of aliases (raise, gsignal, __GI_raise), the global name is the one callers use, then a weak one.
            into.Add(new ElfSymbol(value, size, name, bind == StbGlobal ? 0 : bind == StbWeak ? 1 : 2));
        }
    }

    /// <summary>The link-time address of the symbol named <paramref name="name"/> (its global spelling first), or null.</summary>
    public ulong? AddressOf(string name)
    {
        foreach (var symbol in _symbols)
            if (symbol.Name == name)
                return symbol.Address;
        return null;
    }

    /// <summary>The function that holds a link-time address: the nearest symbol at or below it whose size covers it.</summary>
    public ElfSymbol? Lookup(ulong address)
    {
        int lo = 0, hi = _symbols.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_symbols[mid].Address <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0)
            return null;
        ulong start = _symbols[found].Address;
        while (found > 0 && _symbols[found - 1].Address == start)
            found--;
        // Among the aliases at that address, the first (global, plain name) that covers the address.
        for (int i = found; i < _symbols.Length && _symbols[i].Address == start; i++)
            if (_symbols[i].Size == 0 || address - start < _symbols[i].Size)
                return _symbols[i];
        return null;
    }
}
