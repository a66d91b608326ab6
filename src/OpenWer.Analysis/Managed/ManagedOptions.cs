namespace OpenWer.Analysis.Managed;

/// <summary>What `wer analyze` asks of a .NET dump: the DAC to use instead of the one found by build-id, and whether to count the heap.</summary>
public sealed record ManagedOptions(string? DacPath = null, bool Heap = false)
{
    public static ManagedOptions Default { get; } = new();
}
