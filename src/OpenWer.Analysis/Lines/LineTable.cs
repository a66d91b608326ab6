using OpenWer.Analysis.Cfi;

namespace OpenWer.Analysis.Lines;

/// <summary>
/// The rows of a module's .debug_line, grouped into the sequences the line programs end, sorted by address: a
/// link-time address looks up its file, line and column. A unit whose header or program is malformed gives no rows
/// (the others still do), and the rows are bounded: reading never throws and never allocates past a limit.
/// </summary>
public sealed class LineTable
{
    /// <summary>No module has more rows than this (a large C++ library has a few million).</summary>
    public const int MaxRows = 1 << 24;
    private readonly Row[] _rows;
    private readonly Sequence[] _sequences;
    private readonly string[] _files;

    public int RowCount => _rows.Length;
    /// <summary>Units dropped because they were malformed, with the first reason.</summary>
    public int BadUnits { get; }
    public string? Problem { get; }

    public static LineTable Empty { get; } = new([], [], [], 0, null);

    private LineTable(Row[] rows, Sequence[] sequences, string[] files, int badUnits, string? problem)
    {
        _rows = rows;
        _sequences = sequences;
        _files = files;
        BadUnits = badUnits;
        Problem = problem;
    }

    internal readonly record struct Row(ulong Address, int File, uint Line, uint Column, bool IsStmt);
    internal readonly record struct Sequence(ulong Start, ulong End, int First, int Count);

    public static LineTable Read(ReadOnlySpan<byte> debugLine, ReadOnlySpan<byte> lineStrings, ReadOnlySpan<byte> strings)
    {
        var rows = new List<Row>();
        var sequences = new List<Sequence>();
        var files = new List<string>();
        var fileIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int bad = 0, offset = 0;
        string? problem = null;
        while (offset < debugLine.Length && rows.Count < MaxRows)
        {
            LineTableHeader header;
            try
            {
                header = LineTableHeader.Read(debugLine, offset, lineStrings, strings);
            }
            catch (CfiFormatException e)
            {
                // Without a valid header the unit's length cannot be trusted either: the rest of the section is lost.
                bad++;
                problem ??= $"line table unit at 0x{offset:x}: {e.Message}";
                break;
            }
            int rowsBefore = rows.Count, sequencesBefore = sequences.Count;
            try
            {
                LineProgram.Run(debugLine[..header.UnitEnd], header, rows, sequences, i => Intern(header.File(i), files, fileIndex));
            }
            catch (CfiFormatException e)
            {
                bad++;
                problem ??= $"line program at 0x{offset:x}: {e.Message}";
                rows.RemoveRange(rowsBefore, rows.Count - rowsBefore);
                sequences.RemoveRange(sequencesBefore, sequences.Count - sequencesBefore);
            }
            offset = header.UnitEnd;
        }
        var rowArray = rows.ToArray();
        // Sequences of code the linker discarded keep address 0 (or start past their end): they cover no code in the process.
        var kept = sequences.Where(s => s.Start != 0 && s.End > s.Start).OrderBy(s => s.Start).ToArray();
        foreach (var s in kept)
            // A well-formed sequence only goes up; a hostile one is sorted so that the lookup's search holds.
            if (!IsSorted(rowArray.AsSpan(s.First, s.Count)))
                Array.Sort(rowArray, s.First, s.Count, RowByAddress.Instance);
        return new LineTable(rowArray, kept, [.. files], bad, problem);
    }

    private static int Intern(string? file, List<string> files, Dictionary<string, int> index)
    {
        if (file is null)
            return -1;
        if (!index.TryGetValue(file, out int i))
        {
            i = files.Count;
            files.Add(file);
            index[file] = i;
        }
        return i;
    }

    /// <summary>The source position of a link-time address, or null when no sequence covers it or its row has no line.</summary>
    public SourceLocation? Lookup(ulong address)
    {
        int lo = 0, hi = _sequences.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sequences[mid].Start <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        // Sequences may overlap (hostile input, or two units covering one range): the covering one with the latest start wins.
        for (; found >= 0; found--)
            if (address < _sequences[found].End)
                break;
        if (found < 0)
            return null;
        var s = _sequences[found];
        int first = s.First, last = s.First + s.Count - 1, row = -1;
        while (first <= last)
        {
            int mid = (first + last) >>> 1;
            if (_rows[mid].Address <= address) { row = mid; first = mid + 1; }
            else last = mid - 1;
        }
        if (row < 0)
            return null;
        // Of several rows at one address, a debugger takes a statement's row over a row inside one.
        for (int i = row; i >= s.First && _rows[i].Address == _rows[row].Address; i--)
            if (_rows[i].IsStmt) { row = i; break; }
        var r = _rows[row];
        return r.Line == 0 || r.File < 0 ? null : new SourceLocation(_files[r.File], r.Line, r.Column);
    }

    private static bool IsSorted(ReadOnlySpan<Row> rows)
    {
        for (int i = 1; i < rows.Length; i++)
            if (rows[i].Address < rows[i - 1].Address) return false;
        return true;
    }

    private sealed class RowByAddress : IComparer<Row>
    {
        public static RowByAddress Instance { get; } = new();
        public int Compare(Row x, Row y) => x.Address.CompareTo(y.Address);
    }
}
