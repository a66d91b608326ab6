using OpenWer.Analysis.Modules;
using OpenWer.Analysis.Signatures;
using OpenWer.Format;

namespace OpenWer.Analysis.Grouping;

/// <summary>A file that could not be analyzed, and why.</summary>
public sealed record UnreadableDump(string Path, string Problem);

/// <summary>Several dumps grouped by symbolic signature, the largest group first, and the files that could not be read.</summary>
public sealed record DumpGrouping(IReadOnlyList<DumpGroup> Groups, IReadOnlyList<UnreadableDump> Unreadable)
{
    public int DumpCount => Groups.Sum(g => g.Count);

    /// <summary>
    /// Opens each dump in turn (one open at a time: a thousand dumps cost the memory of one), makes its signature,
    /// and groups them. A file that is not a readable minidump is listed in <see cref="Unreadable"/> and the rest go on.
    /// </summary>
    public static DumpGrouping Analyze(IEnumerable<string> paths, SignatureRules rules, ModuleFileLocator? locator = null)
    {
        var summaries = new List<DumpSummary>();
        var unreadable = new List<UnreadableDump>();
        foreach (var path in paths)
        {
            try
            {
                using var dump = CrashDump.Open(path, locator);
                var crashing = dump.CrashingThread;
                var signature = SignatureMaker.Make(dump, crashing is null ? null : dump.Walk(crashing), rules);
                summaries.Add(new DumpSummary(path, dump.Time, signature, dump.Modules.Modules.FirstOrDefault()?.CodeId));
            }
            catch (MinidumpFormatException e) { unreadable.Add(new(path, $"not a readable minidump: {e.Message}")); }
            catch (UnauthorizedAccessException e) { unreadable.Add(new(path, $"cannot be read: {e.Message}")); }
            catch (IOException e) { unreadable.Add(new(path, $"reading failed: {e.Message}")); }
        }
        var groups = summaries.GroupBy(s => s.Signature.Symbolic, StringComparer.Ordinal)
            .Select(g => new DumpGroup(g.Key, [.. g.OrderBy(d => d.Time)]))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Signature, StringComparer.Ordinal).ToList();
        return new DumpGrouping(groups, unreadable);
    }
}
