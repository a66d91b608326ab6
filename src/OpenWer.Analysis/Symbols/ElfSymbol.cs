namespace OpenWer.Analysis.Symbols;

/// <summary>A function symbol: its link-time address, size (0 when unknown) and name.</summary>
public readonly record struct ElfSymbol(ulong Address, ulong Size, string Name, bool IsGlobal);
