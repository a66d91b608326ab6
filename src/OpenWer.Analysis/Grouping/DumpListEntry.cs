using OpenWer.Analysis.Modules;
using OpenWer.Analysis.Signatures;
using OpenWer.Format;

namespace OpenWer.Analysis.Grouping;

/// <summary>
/// One dump as `wer localdumps list` shows it (coredumpctl list's columns): when it was written, whose process, the
/// signal, the executable, the file's size and the symbolic signature; or why it could not be read.
/// </summary>
public sealed record DumpListEntry(string Path, DateTimeOffset Time, uint? ProcessId, string? Signal, string? Executable, long Size,
    string? Signature, string? Problem)
{
    /// <summary>Reads each dump in turn (one open at a time), newest first; a file that cannot be read is listed with why.</summary>
    public static IReadOnlyList<DumpListEntry> Read(IEnumerable<string> paths, SignatureRules rules, ModuleFileLocator? locator = null)
    {
        var entries = new List<DumpListEntry>();
        foreach (var path in paths)
            entries.Add(ReadOne(path, rules, locator));
        return [.. entries.OrderByDescending(e => e.Time).ThenBy(e => e.Path, StringComparer.Ordinal)];
    }

    private static DumpListEntry ReadOne(string path, SignatureRules rules, ModuleFileLocator? locator)
    {
        long size = 0;
        var written = DateTimeOffset.MinValue;
        try
        {
            var file = new FileInfo(path);
            size = file.Length;
            written = file.LastWriteTimeUtc;
            using var dump = CrashDump.Open(path, locator);
            var crashing = dump.CrashingThread;
            var signature = SignatureMaker.Make(dump, crashing is null ? null : dump.Walk(crashing), rules);
            return new DumpListEntry(path, dump.Time, dump.ProcessId, dump.Crash?.Type, dump.Modules.Modules.FirstOrDefault()?.FileName, size,
                signature.Symbolic, null);
        }
        catch (MinidumpFormatException e) { return new(path, written, null, null, null, size, null, $"not a readable minidump: {e.Message}"); }
        catch (UnauthorizedAccessException e) { return new(path, written, null, null, null, size, null, $"cannot be read: {e.Message}"); }
        catch (IOException e) { return new(path, written, null, null, null, size, null, $"reading failed: {e.Message}"); }
    }
}
