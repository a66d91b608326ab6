namespace OpenWer.Analysis.Walking;

/// <summary>Bounds on one thread's walk, so a hostile or corrupt stack cannot make it run away.</summary>
public sealed record WalkLimits(int MaxFrames = 1024, int MaxScanWords = 512, long MaxReads = 200_000)
{
    public static WalkLimits Default { get; } = new();
}
