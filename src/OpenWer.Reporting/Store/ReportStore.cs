using OpenWer.Dumps.Output;
using System.Text.Json;

namespace OpenWer.Reporting.Store;

/// <summary>
/// Reports on disk: one folder per report (report.json + its files) under building/, queue/ (waiting to be sent)
/// or archive/ (sent, or kept after the user declined). Queue and archive are bounded by count, oldest removed first.
/// A report moves between them with a rename, so it is never half in one place.
/// </summary>
public sealed class ReportStore(string root, int maxQueued, int maxArchived)
{
    public const string ManifestName = "report.json";
    public string Root { get; } = root;
    public string Building => Path.Combine(Root, "building");
    public string Queue => Path.Combine(Root, "queue");
    public string Archive => Path.Combine(Root, "archive");

    public string NewFolder(string id)
    {
        string folder = Path.Combine(Building, id);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    public static void Save(string folder, ReportManifest manifest)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, ManifestName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            JsonSerializer.Serialize(manifest, ReportJsonContext.Default.ReportManifest));
    }

    public static ReportManifest Load(string folder) =>
        JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, ManifestName)), ReportJsonContext.Default.ReportManifest)
            ?? throw new InvalidDataException($"{folder}/{ManifestName} is empty");

    /// <summary>Moves a report into queue/ or archive/ and prunes that place to its bound.</summary>
    public string MoveTo(string folder, string place)
    {
        Directory.CreateDirectory(place);
        string target = Path.Combine(place, Path.GetFileName(folder));
        Directory.Move(folder, target);
        Prune(place, place == Queue ? maxQueued : maxArchived);
        return target;
    }

    public IEnumerable<(string Folder, ReportManifest Manifest)> List(string place) =>
        !Directory.Exists(place) ? [] :
        Directory.GetDirectories(place).Where(d => File.Exists(Path.Combine(d, ManifestName)))
            .Select(d => (d, Load(d))).OrderBy(r => r.Item2.Created);

    private void Prune(string place, int keep)
    {
        foreach (var (folder, _) in List(place).Reverse().Skip(keep))
            Directory.Delete(folder, recursive: true);
    }
}
