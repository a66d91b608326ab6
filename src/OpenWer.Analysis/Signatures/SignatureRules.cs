using System.Reflection;

namespace OpenWer.Analysis.Signatures;

/// <summary>
/// The lists the symbolic signature is made with (docs/analyze.md): irrelevant frames (skipped), prefix frames (kept,
/// the signature goes on), and renames (CPU-specific builds of a function written by the function's name). The
/// built-in lists are the .txt files beside this class, embedded; a folder given by the user replaces each list it holds.
/// </summary>
public sealed class SignatureRules
{
    public const string IrrelevantFile = "irrelevant.txt", PrefixFile = "prefix.txt", RenameFile = "rename.txt";

    public IReadOnlyList<FramePattern> Irrelevant { get; }
    public IReadOnlyList<FramePattern> Prefix { get; }
    public IReadOnlyList<(FramePattern Pattern, string Name)> Renames { get; }
    /// <summary>Where each list came from ("built-in" or a file's path), for the report.</summary>
    public string Source { get; }

    private SignatureRules(IReadOnlyList<FramePattern> irrelevant, IReadOnlyList<FramePattern> prefix, IReadOnlyList<(FramePattern, string)> renames, string source)
    {
        Irrelevant = irrelevant;
        Prefix = prefix;
        Renames = renames;
        Source = source;
    }

    public static SignatureRules BuiltIn { get; } = Load(null);

    /// <summary>
    /// The rules from <paramref name="folder"/>'s files, the built-in list for each file it lacks; null gives the built-in rules.
    /// A malformed rename line gives a <see cref="FormatException"/> naming the file and line; an unreadable file an <see cref="IOException"/>.
    /// </summary>
    public static SignatureRules Load(string? folder)
    {
        if (folder is not null && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: no such folder");
        var sources = new List<string>();
        string[] Lines(string file)
        {
            string? path = folder is null ? null : Path.Combine(folder, file);
            if (path is not null && File.Exists(path))
            {
                sources.Add(path);
                return Meaningful(File.ReadAllLines(path));
            }
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OpenWer.Analysis.Signatures." + file)
                ?? throw new InvalidOperationException($"the built-in {file} is not embedded");
            using var reader = new StreamReader(stream);
            return Meaningful(reader.ReadToEnd().Split('\n'));
        }
        var irrelevant = Lines(IrrelevantFile).Select(l => new FramePattern(l)).ToList();
        var prefix = Lines(PrefixFile).Select(l => new FramePattern(l)).ToList();
        var renames = new List<(FramePattern, string)>();
        foreach (var line in Lines(RenameFile))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new FormatException($"{RenameFile}: \"{line}\" is not PATTERN NAME");
            renames.Add((new FramePattern(parts[0]), parts[1]));
        }
        return new SignatureRules(irrelevant, prefix, renames, sources.Count == 0 ? "built-in" : string.Join(", ", sources) + (sources.Count < 3 ? " (the rest built-in)" : ""));
    }

    public bool IsIrrelevant(string name) => Irrelevant.Any(p => p.Matches(name));

    public bool IsPrefix(string name) => Prefix.Any(p => p.Matches(name));

    public string Rename(string name) => Renames.FirstOrDefault(r => r.Pattern.Matches(name)).Name ?? name;

    // Comments run from '#' to the end of the line; blank lines are nothing. "operator new" keeps its inner space.
    private static string[] Meaningful(IEnumerable<string> lines) =>
        [.. lines.Select(l => (l.IndexOf('#') is int hash and >= 0 ? l[..hash] : l).Trim()).Where(l => l.Length > 0)];
}
