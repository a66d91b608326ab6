namespace OpenWer.Analysis.Managed;

/// <summary>One line of the heap statistics: a type, how many of its objects the GC heap holds and their total size in bytes.</summary>
public sealed record HeapTypeCount(string TypeName, ulong MethodTable, long Count, ulong TotalSize);
