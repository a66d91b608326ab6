namespace OpenWer.Analysis.Managed;

/// <summary>The DAC (libmscordaccore.so) found for a dump's runtime, or why none was: then only native frames are shown.</summary>
public sealed record DacLookup(string? Path, string? Problem);
