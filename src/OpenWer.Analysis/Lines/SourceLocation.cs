namespace OpenWer.Analysis.Lines;

/// <summary>A source position: the file as the line table names it (joined with its directory), the line, the column (0: unknown).</summary>
public readonly record struct SourceLocation(string File, uint Line, uint Column);
