using System.Xml.Linq;

namespace OpenWer.Format.Tests;

/// <summary>
/// The layers of DESIGN.md, checked on the project files so they cannot rot silently:
/// format knows nothing of ours; the snapshot model only format; capture (its Linux sources) the two below it; dumps
/// format, snapshot and capture; the CLI anything.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["OpenWer.Format"] = [],
        ["OpenWer.Snapshot"] = ["OpenWer.Format"],
        ["OpenWer.Capture"] = ["OpenWer.Format", "OpenWer.Snapshot"],
        ["OpenWer.Dumps"] = ["OpenWer.Format", "OpenWer.Snapshot", "OpenWer.Capture"],
        ["OpenWer.Reporting"] = ["OpenWer.Format", "OpenWer.Snapshot", "OpenWer.Capture", "OpenWer.Dumps"],
        ["OpenWer.LocalDumps"] = ["OpenWer.Format", "OpenWer.Snapshot", "OpenWer.Capture", "OpenWer.Dumps", "OpenWer.Reporting"],
        ["OpenWer.Analysis"] = ["OpenWer.Format"],
        ["OpenWer.Cli"] = ["OpenWer.Format", "OpenWer.Snapshot", "OpenWer.Capture", "OpenWer.Dumps", "OpenWer.Reporting", "OpenWer.LocalDumps", "OpenWer.Analysis"],
    };

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenWer.sln"))) return dir.FullName;
        throw new InvalidOperationException("OpenWer.sln not found");
    }

    [Fact]
    public void ProjectsReferenceOnlyLowerLayers()
    {
        var projects = Directory.GetFiles(Path.Combine(Root(), "src"), "*.csproj", SearchOption.AllDirectories);
        Assert.Equal(Allowed.Keys.Order(), projects.Select(Path.GetFileNameWithoutExtension).Order()!);
        foreach (var project in projects)
        {
            string name = Path.GetFileNameWithoutExtension(project);
            var references = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value)).ToList();
            Assert.All(references, r => Assert.True(Allowed[name].Contains(r), $"{name} must not reference {r}"));
        }
    }

    [Fact]
    public void TheFormatLayerMakesNoOsCalls()
    {
        var sources = Directory.GetFiles(Path.Combine(Root(), "src/OpenWer.Format"), "*.cs", SearchOption.AllDirectories);
        foreach (var file in sources)
        {
            string text = File.ReadAllText(file);
            Assert.False(text.Contains("LibraryImport", StringComparison.Ordinal) || text.Contains("DllImport", StringComparison.Ordinal) || text.Contains("/proc/", StringComparison.Ordinal),
                $"{file} reaches the OS; the format layer must not");
        }
    }

    [Fact]
    public void TheSnapshotModelReadsNothingItself()
    {
        // Records of what a source read, and the interface of a source: no file, process or native access of its own.
        string[] reaching = ["LibraryImport", "DllImport", "File.", "Directory.", "FileStream", "Process.", "Environment."];
        var sources = Directory.GetFiles(Path.Combine(Root(), "src/OpenWer.Snapshot"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sources);
        foreach (var file in sources)
        {
            string text = File.ReadAllText(file);
            Assert.All(reaching, r => Assert.False(text.Contains(r, StringComparison.Ordinal), $"{file} uses {r}; the snapshot model reads nothing itself"));
        }
    }

    [Fact]
    public void NativeCallsAreDeclaredInEachLayersNativeFolderOnly()
    {
        // Format and Dumps know no OS; the CLI is a thin shell; the layers that do call libc declare it in one place each.
        string[] withNative = ["OpenWer.Capture", "OpenWer.Reporting", "OpenWer.LocalDumps"];
        var declaring = Directory.GetFiles(Path.Combine(Root(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("[LibraryImport(", StringComparison.Ordinal) || File.ReadAllText(f).Contains("[DllImport(", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Path.Combine(Root(), "src"), f)).ToList();
        Assert.NotEmpty(declaring);
        foreach (var file in declaring)
        {
            string project = file[..file.IndexOf('/')];
            Assert.True(withNative.Contains(project) && file.StartsWith(project + "/Native/", StringComparison.Ordinal),
                $"src/{file} declares native calls; they belong in src/{project}/Native/ (and only Capture, Reporting and LocalDumps make them)");
        }
        Assert.All(withNative, p => Assert.Contains(declaring, f => f.StartsWith(p + "/Native/", StringComparison.Ordinal)));
    }
}
