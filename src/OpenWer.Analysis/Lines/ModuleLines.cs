using OpenWer.Analysis.Elf;

namespace OpenWer.Analysis.Lines;

/// <summary>
/// A module's line table, from the first of its files (its own, then its separate debug file) that has a
/// .debug_line, with the strings version 5 keeps in .debug_line_str and .debug_str, each decompressed if need be.
/// </summary>
public static class ModuleLines
{
    public static (LineTable Table, string Source) Read(IEnumerable<ElfFile> files)
    {
        var problems = new List<string>();
        foreach (var file in files)
        {
            byte[]? lines = DebugSection.Read(file, ".debug_line", out string? problem);
            if (lines is null)
            {
                if (problem is not null)
                    problems.Add(problem);
                continue;
            }
            byte[] lineStrings = DebugSection.Read(file, ".debug_line_str", out problem) ?? [];
            if (problem is not null) problems.Add(problem);
            byte[] strings = DebugSection.Read(file, ".debug_str", out problem) ?? [];
            if (problem is not null) problems.Add(problem);
            var table = LineTable.Read(lines, lineStrings, strings);
            if (table.Problem is not null)
                problems.Add($"{file.Path}: {table.Problem}");
            if (table.RowCount > 0)
                return (table, file.Path + (problems.Count > 0 ? $" ({string.Join("; ", problems)})" : ""));
        }
        return (LineTable.Empty, problems.Count > 0 ? string.Join("; ", problems) : "no .debug_line in the module's files");
    }
}
