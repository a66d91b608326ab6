namespace OpenWer.Analysis.Grouping;

/// <summary>
/// The dump files named by `wer analyze`'s arguments: a file as given (whatever its name: a file that is not a
/// minidump is reported, not skipped), a folder's *.dmp files at any depth, and for a report store (a folder holding
/// queue/ or archive/) the dumps of the reports in those two, read in place; building/ holds reports still being
/// written and is left alone.
/// </summary>
public static class DumpInputs
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            if (File.Exists(argument))
                Add(argument);
            else if (Directory.Exists(argument))
                foreach (var folder in StoreFolders(argument) ?? [argument])
                    foreach (var file in Directory.EnumerateFiles(folder, "*.dmp", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
                        Add(file);
            else
                throw new FileNotFoundException($"{argument}: no such file or folder", argument);
        }
        return files;

        void Add(string file)
        {
            if (seen.Add(Path.GetFullPath(file)))
                files.Add(file);
        }
    }

    /// <summary>queue/ and archive/ of a report store (src/OpenWer.Reporting/Store), or null for any other folder.</summary>
    private static string[]? StoreFolders(string folder)
    {
        string[] places = [.. new[] { "queue", "archive" }.Select(p => Path.Combine(folder, p)).Where(Directory.Exists)];
        return places.Length > 0 ? places : null;
    }
}
