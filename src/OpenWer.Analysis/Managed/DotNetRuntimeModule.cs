using OpenWer.Analysis.Modules;

namespace OpenWer.Analysis.Managed;

/// <summary>The .NET runtime of a dump: the libcoreclr.so of its module list (a self-contained app ships it beside itself).</summary>
public static class DotNetRuntimeModule
{
    public const string FileName = "libcoreclr.so";

    public static DumpModule? Find(ModuleSet modules) => modules.Modules.FirstOrDefault(m => m.FileName == FileName);

    /// <summary>The runtime's version as its install folder names it (shared/Microsoft.NETCore.App/10.0.12), or null.</summary>
    public static string? VersionFromPath(DumpModule runtime)
    {
        string? folder = Path.GetFileName(Path.GetDirectoryName(runtime.Path));
        return folder is { Length: > 0 } && char.IsAsciiDigit(folder[0]) && folder.Contains('.', StringComparison.Ordinal) ? folder : null;
    }
}
