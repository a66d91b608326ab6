using OpenWer.Analysis.Signatures;

namespace OpenWer.Analysis.Grouping;

/// <summary>The dumps of one symbolic signature: how many, the first and last written, the versions and builds of the application, one example.</summary>
public sealed record DumpGroup(string Signature, IReadOnlyList<DumpSummary> Dumps)
{
    public int Count => Dumps.Count;
    public DateTimeOffset FirstTime => Dumps.Min(d => d.Time);
    public DateTimeOffset LastTime => Dumps.Max(d => d.Time);
    /// <summary>The application versions the dumps give (usually none on Linux: see <see cref="CrashBucket"/>).</summary>
    public IReadOnlyList<string> Versions => [.. Dumps.Select(d => d.Signature.Bucket.AppVersion).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)];
    /// <summary>The application's builds, by the main module's build-id: what tells versions apart when the dump has no version.</summary>
    public IReadOnlyList<string> AppBuildIds => [.. Dumps.Select(d => d.AppBuildId).OfType<string>().Distinct().Order(StringComparer.Ordinal)];
    /// <summary>The most recent dump, the one most likely still on disk and like the next.</summary>
    public DumpSummary Example => Dumps.MaxBy(d => d.Time)!;
    /// <summary>The distinct bucket fields in the group: one, unless the same frames crashed at different instructions.</summary>
    public IReadOnlyList<CrashBucket> Buckets => [.. Dumps.Select(d => d.Signature.Bucket).Distinct()];
}
