using OpenWer.Capture.Elf;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Live;

/// <summary>
/// Picks, from every mapping of a PE file that starts with its header, the one module per loaded assembly that
/// readers expect. The .NET runtime maps a ReadyToRun assembly twice, flat (a shared read-only view of the file,
/// to read its metadata) and as an image (a private header page followed by its sections, one of which may be
/// mapped from offset 0 again); an IL-only assembly only flat. The module is the image when there is one, else
/// the flat view: the base the runtime itself records for the assembly, which ClrMD looks modules up by.
/// Its size is the PE header's SizeOfImage, unrounded: with TimeDateStamp it is the file's symbol-server key.
/// </summary>
public static class PortableExecutableModules
{
    public static List<ModuleSnapshot> Choose(IReadOnlyList<(Mapping First, PortableExecutableHeader Header)> candidates)
    {
        var modules = new List<ModuleSnapshot>();
        foreach (var file in candidates.GroupBy(c => (c.First.Device, c.First.Inode)))
        {
            var images = file.Where(c => !c.First.Shared).OrderBy(c => c.First.Start).ToList();
            // A flat view is a module only when the runtime did not map that file as an image too.
            var chosen = images.Count > 0 ? images : file.OrderBy(c => c.First.Start).ToList();
            ulong coveredEnd = 0;
            foreach (var (first, header) in chosen)
            {
                // An offset-0 mapping inside an image already taken is one of its sections, not another load.
                if (first.Start < coveredEnd)
                    continue;
                string path = ModuleScanner.CleanPath(first.Path);
                modules.Add(new ModuleSnapshot(path, path, first.Start, header.SizeOfImage, null, ModuleKind.PortableExecutable,
                    header.TimeDateStamp, []));
                coveredEnd = first.Start + header.SizeOfImage;
            }
        }
        return modules;
    }
}
