using OpenWer.Analysis.Elf;

namespace OpenWer.Analysis.Modules;

/// <summary>
/// Finds a module's files on this machine: the path the dump names, and the separate debug file named by the
/// build-id under the debug roots, else by the module's .gnu_debuglink (with its CRC32). A file is used only if its build-id equals the dump's: a library updated since
/// the crash would give wrong names and wrong unwind rules.
/// </summary>
public sealed class ModuleFileLocator(IReadOnlyList<string> debugRoots)
{
    public static ModuleFileLocator Default { get; } = new(["/usr/lib/debug"]);

    public ModuleImage Locate(DumpModule module)
    {
        if (module.BuildId is not { Length: > 0 } id)
            return new ModuleImage(module, null, null, "no build-id in the dump: a file on disk cannot be checked, so none is used");
        var notes = new List<string>();
        var file = OpenMatching(module.Path, id, notes);
        ElfFile? debug = null;
        string hex = Convert.ToHexStringLower(id);
        foreach (var root in debugRoots)
        {
            if (hex.Length < 3)
                break;
            debug = OpenMatching(Path.Combine(root, ".build-id", hex[..2], hex[2..] + ".debug"), id, notes, quietIfMissing: true);
            if (debug is not null)
                break;
        }
        if (debug is null && file is not null && DebugLink.Read(file) is { } link)
            debug = OpenLinked(file.Path, link.Name, link.Crc, id, notes);
        string source = (file, debug) switch
        {
            (null, null) => notes.Count > 0 ? string.Join("; ", notes) : "not found",
            (_, null) => file.Path + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : ""),
            (null, _) => debug.Path + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : ""),
            _ => $"{file.Path}, {debug.Path}",
        };
        return new ModuleImage(module, file, debug, source);
    }

    /// <summary>The first file the module's .gnu_debuglink names whose CRC32 is the link's (and whose build-id is the dump's).</summary>
    private ElfFile? OpenLinked(string modulePath, string name, uint crc, byte[] id, List<string> notes)
    {
        foreach (var candidate in DebugLink.Candidates(modulePath, name, debugRoots))
        {
            if (candidate == modulePath || !File.Exists(candidate))
                continue;
            if (DebugLink.FileCrc(candidate) is not { } actual || actual != crc)
            {
                notes.Add($"{candidate} is not the file the debug link names (CRC32 differs)");
                continue;
            }
            if (OpenMatching(candidate, id, notes) is { } elf)
                return elf;
        }
        return null;
    }

    private static ElfFile? OpenMatching(string path, byte[] id, List<string> notes, bool quietIfMissing = false)
    {
        if (!path.StartsWith('/') || (quietIfMissing && !File.Exists(path)))
            return null;
        var elf = ElfFile.TryOpen(path, out string? problem);
        if (elf is null)
        {
            notes.Add(problem ?? path);
            return null;
        }
        if (elf.BuildId is null || !elf.BuildId.AsSpan().SequenceEqual(id))
        {
            notes.Add($"{path} has build-id {(elf.BuildId is null ? "none" : Convert.ToHexStringLower(elf.BuildId))}, not the dump's");
            elf.Dispose();
            return null;
        }
        return elf;
    }
}
