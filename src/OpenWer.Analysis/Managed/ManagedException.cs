namespace OpenWer.Analysis.Managed;

/// <summary>A managed exception object: its type, message, HResult, its own stack trace (where it was thrown) and its inner exception.</summary>
public sealed record ManagedException(string Type, string? Message, int HResult, ulong Address, IReadOnlyList<ManagedFrame> StackTrace, ManagedException? Inner);
