namespace OpenWer.Analysis.Symbols;

/// <summary>A function symbol: its link-time address, size (0 when unknown), name, and how preferred its name is among aliases (0 best).</summary>
public readonly record struct ElfSymbol(ulong Address, ulong Size, string Name, int Rank);
