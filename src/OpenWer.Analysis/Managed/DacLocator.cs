using OpenWer.Analysis.Elf;
using OpenWer.Analysis.Modules;

namespace OpenWer.Analysis.Managed;

/// <summary>
/// Finds the DAC for a dump's runtime: the libmscordaccore.so beside a libcoreclr.so on this machine whose build-id is
/// the dump's. The DAC reads the runtime's private data structures, whose layout changes with every build, so a DAC of
/// another build would read garbage; one given by hand (--dac) is trusted as it is.
/// </summary>
public static class DacLocator
{
    public const string DacFileName = "libmscordaccore.so";

    public static DacLookup Find(DumpModule runtime, string? given)
    {
        if (given is not null)
            return File.Exists(given) ? new DacLookup(Path.GetFullPath(given), null) : new DacLookup(null, $"--dac {given}: no such file");
        string version = DotNetRuntimeModule.VersionFromPath(runtime) is { } v ? $".NET runtime {v}" : "the .NET runtime";
        if (runtime.BuildId is not { Length: > 0 } id)
            return new DacLookup(null, $"the dump names no build-id for {runtime.Path}, so no DAC can be matched to it; give one with --dac");
        var folders = CandidateFolders().ToList();
        foreach (var folder in folders)
        {
            string dac = Path.Combine(folder, DacFileName);
            if (File.Exists(dac) && HasBuildId(Path.Combine(folder, DotNetRuntimeModule.FileName), id))
                return new DacLookup(dac, null);
        }
        return new DacLookup(null, $"{version} with libcoreclr.so build-id {Convert.ToHexStringLower(id)} is needed for managed frames " +
            $"and is not installed here ({folders.Count} runtime folder(s) searched; a self-contained app's own folder is not); install it or give its {DacFileName} with --dac");
    }

    /// <summary>
    /// Every shared runtime of the dotnet installs on this machine. Not the folder the dump names when it lies elsewhere
    /// (a self-contained app's): the DAC is native code that wer loads and runs, and a dump could name any folder.
    /// </summary>
    public static IEnumerable<string> CandidateFolders()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in DotNetRoots())
        {
            string shared = Path.Combine(root, "shared", "Microsoft.NETCore.App");
            string[] versions;
            try
            {
                versions = Directory.Exists(shared) ? Directory.GetDirectories(shared) : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var folder in versions.Order(StringComparer.Ordinal))
                if (seen.Add(folder))
                    yield return folder;
        }
    }

    /// <summary>Where dotnet installs live: $DOTNET_ROOT, the distributions' and Microsoft's places, and the one of `dotnet` on PATH.</summary>
    public static IEnumerable<string> DotNetRoots()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } env)
            yield return env;
        yield return "/usr/share/dotnet";
        yield return "/usr/lib/dotnet";
        yield return "/usr/lib64/dotnet";
        yield return "/opt/dotnet";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string exe = Path.Combine(dir, "dotnet");
            if (!File.Exists(exe))
                continue;
            string? real = null;
            try
            {
                real = new FileInfo(exe).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? exe;
            }
            catch (IOException)
            {
                // A broken link: that dotnet is no install.
            }
            if (real is not null && Path.GetDirectoryName(real) is { } home)
                yield return home;
        }
    }

    private static bool HasBuildId(string path, byte[] id)
    {
        if (!File.Exists(path))
            return false;
        using var elf = ElfFile.TryOpen(path, out _);
        return elf?.BuildId is { } found && found.AsSpan().SequenceEqual(id);
    }
}
