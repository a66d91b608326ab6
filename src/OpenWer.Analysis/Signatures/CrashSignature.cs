namespace OpenWer.Analysis.Signatures;

/// <summary>A dump's signature: the symbolic one (the frames that say where it went wrong, " | "-joined) and WER's bucket fields.</summary>
public sealed record CrashSignature(string Symbolic, IReadOnlyList<string> Frames, CrashBucket Bucket);
