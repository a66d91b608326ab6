using OpenWer.Analysis.Elf;
using OpenWer.Analysis.Lines;
using OpenWer.Analysis.Symbols;

namespace OpenWer.Analysis.Modules;

/// <summary>
/// What this machine holds of a dump's module: its file on disk and separate debug file, each used only when its
/// build-id equals the dump's, the symbols read from them, and why a file was not used.
/// </summary>
public sealed class ModuleImage : IDisposable
{
    public DumpModule Module { get; }
    /// <summary>The module's own file, when its build-id matches (the source of code bytes and .eh_frame).</summary>
    public ElfFile? File { get; }
    /// <summary>The separate debug file (/usr/lib/debug/.build-id/xx/rest.debug), when its build-id matches.</summary>
    public ElfFile? DebugFile { get; }
    public ElfSymbolTable Symbols { get; }
    /// <summary>Data objects, to name what a pc that is not code points at (a call into a data array).</summary>
    public ElfSymbolTable DataSymbols => _dataSymbols ??= ElfSymbolTable.Read(new[] { File, DebugFile }.OfType<ElfFile>(), data: true);
    private ElfSymbolTable? _dataSymbols;
    /// <summary>The line table, read on first use from the first of the files that has one.</summary>
    public LineTable Lines => (_lines ??= ModuleLines.Read(new[] { File, DebugFile }.OfType<ElfFile>())).Table;
    /// <summary>Where the line table came from, or why there is none: for the modules listing.</summary>
    public string LineSource => (_lines ??= ModuleLines.Read(new[] { File, DebugFile }.OfType<ElfFile>())).Source;
    public bool HasLines => Lines.RowCount > 0;
    private (LineTable Table, string Source)? _lines;
    /// <summary>Where the symbols came from, or why there are none: for the modules listing.</summary>
    public string SymbolSource { get; }
    /// <summary>Added to a link-time address to get the address in the process.</summary>
    public ulong LoadBias { get; }

    public ModuleImage(DumpModule module, ElfFile? file, ElfFile? debugFile, string symbolSource)
    {
        Module = module;
        File = file;
        DebugFile = debugFile;
        SymbolSource = symbolSource;
        LoadBias = module.BaseAddress - (file ?? debugFile)?.ImageBase ?? 0;
        Symbols = ElfSymbolTable.Read(new[] { file, debugFile }.OfType<ElfFile>());
    }

    public bool HasSymbols => Symbols.Count > 0;

    /// <summary>Whether the address lies in an executable segment of the module's file; null when the file is not at hand.</summary>
    public bool? IsExecutable(ulong address) => File?.SegmentAt(address - LoadBias)?.IsExecutable ?? (File is null ? null : false);

    /// <summary>Code bytes from the module's file at a process address; how many were read.</summary>
    public int ReadCode(ulong address, Span<byte> destination) => File?.ReadVirtual(address - LoadBias, destination) ?? 0;

    /// <summary>The function (or, with <paramref name="data"/>, the data object) holding a process address, with the offset into it.</summary>
    public (string Name, ulong Offset, ulong Start)? Symbolize(ulong address, bool data = false)
    {
        ulong linkAddress = address - LoadBias;
        return (data ? DataSymbols : Symbols).Lookup(linkAddress) is { } s ? (s.Name, linkAddress - s.Address, s.Address + LoadBias) : null;
    }

    /// <summary>The process address of the data object named <paramref name="name"/>, or null when the module's files do not name it.</summary>
    public ulong? DataAddressOf(string name) => DataSymbols.AddressOf(name) is { } link ? link + LoadBias : null;
    /// <summary>The source position of a process address, from the line table.</summary>
    public SourceLocation? SourceAt(ulong address) => Lines.Lookup(address - LoadBias);

    public void Dispose()
    {
        File?.Dispose();
        DebugFile?.Dispose();
    }
}
