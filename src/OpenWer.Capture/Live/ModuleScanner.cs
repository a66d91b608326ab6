using Microsoft.Win32.SafeHandles;
using OpenWer.Capture.Proc;
using OpenWer.Capture.Elf;
using OpenWer.Snapshot;
using OpenWer.Format.Writing;

namespace OpenWer.Capture.Live;

/// <summary>
/// Finds the loaded images of a process from its mappings: each ELF file mapped from offset 0 (headers read from
/// the mapped file itself through /proc/PID/map_files, so a deleted or replaced file still identifies), the vDSO
/// (read from memory, named linux-gate.so as Breakpad does), and PE files the .NET runtime mapped. The module
/// holding AT_ENTRY, the main executable, comes first, as Breakpad and rust-minidump expect.
/// </summary>
public static class ModuleScanner
{
    private const ulong AT_ENTRY = 9, AT_SYSINFO_EHDR = 33;
    /// <summary>The vDSO is two or three pages; a mapping the process claims is its vDSO (auxv is settable) is read up to this.</summary>
    private const ulong MaxVdsoSize = 1 << 20;

    /// <param name="auxvWordSize">4 for a 32-bit process, whose auxv holds Elf32_auxv_t entries.</param>
    public static List<ModuleSnapshot> Scan(ProcDirectory proc, IReadOnlyList<Mapping> mappings, IMemorySource memory, byte[] auxv, int auxvWordSize = 8)
    {
        var aux = ParseAuxv(auxv, auxvWordSize);
        ulong entry = aux.GetValueOrDefault(AT_ENTRY);
        ulong vdso = aux.GetValueOrDefault(AT_SYSINFO_EHDR);
        var modules = new List<ModuleSnapshot>();
        var header = new byte[4096];
        var assemblies = new List<(Mapping First, PortableExecutableHeader Header)>();
        foreach (var m in mappings)
        {
            if ((m.Path == "[vdso]" || (vdso != 0 && m.Start == vdso && m.Path.Length == 0)) && m.Size <= MaxVdsoSize)
            {
                if (Vdso(m, memory) is { } v)
                    modules.Add(v);
                continue;
            }
            bool memfd = m.Path.StartsWith("/memfd:", StringComparison.Ordinal);
            if (m.Offset != 0 || !(m.IsFileBacked || memfd) || !m.Read)
                continue;
            int n = memory.Read(m.Start, header);
            if (n < 64)
                continue;
            if (ElfImage.HasElfMagic(header))
            {
                if (Elf(proc, m, mappings) is { } e)
                    modules.Add(e);
            }
            // A memfd that holds no ELF image is no module (.NET's double-mapped code): only an ELF file run
            // from a memfd (fexecve) is, with its build-id read through map_files like any file's.
            else if (!memfd && PortableExecutableHeader.TryParse(header.AsSpan(0, n)) is { } pe)
            {
                assemblies.Add((m, pe));
            }
        }
        modules.AddRange(PortableExecutableModules.Choose(assemblies));
        return InLoadOrder(modules, entry);
    }

    /// <summary>By base address, with the module holding AT_ENTRY (the main executable) first.</summary>
    internal static List<ModuleSnapshot> InLoadOrder(List<ModuleSnapshot> modules, ulong entry)
    {
        modules.Sort((a, b) => a.Base.CompareTo(b.Base));
        int main = modules.FindIndex(mod => entry >= mod.Base && entry < mod.Base + mod.Size);
        if (main > 0)
        {
            var exe = modules[main];
            modules.RemoveAt(main);
            modules.Insert(0, exe);
        }
        return modules;
    }

    /// <summary>The auxiliary vector: pairs of words, 8 bytes each for a 64-bit process, 4 for a 32-bit one (Elf32_auxv_t).</summary>
    public static Dictionary<ulong, ulong> ParseAuxv(byte[] auxv, int wordSize = 8)
    {
        var result = new Dictionary<ulong, ulong>();
        for (int i = 0; i + 2 * wordSize <= auxv.Length; i += 2 * wordSize)
        {
            ulong type = wordSize == 4 ? BitConverter.ToUInt32(auxv, i) : BitConverter.ToUInt64(auxv, i);
            if (type == 0) break;
            result[type] = wordSize == 4 ? BitConverter.ToUInt32(auxv, i + 4) : BitConverter.ToUInt64(auxv, i + 8);
        }
        return result;
    }

    /// <summary>A mapping's path without the " (deleted)" the kernel appends to a file that was removed.</summary>
    internal static string CleanPath(string path) =>
        path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^" (deleted)".Length] : path;

    private static ModuleSnapshot? Elf(ProcDirectory proc, Mapping first, IReadOnlyList<Mapping> mappings)
    {
        SafeFileHandle? file = null;
        try
        {
            file = TryOpen(proc, $"map_files/{first.Start:x}-{first.End:x}")
                ?? (proc.AllowPathFallback ? TryOpen(proc, $"root{CleanPath(first.Path)}") : null);
            ElfImage? image = file is null ? null : ElfImage.TryParse((offset, dest) => RandomAccess.Read(file, dest, offset));
            string path = CleanPath(first.Path);
            if (image is null)
            {
                // Unreadable file: size the module by its consecutive mappings of the same file.
                return new ModuleSnapshot(path, path, first.Start, MappedRunEnd(first, mappings) - first.Start, null, ModuleKind.Elf, 0, []);
            }
            return ElfModule(path, first.Start, image);
        }
        finally
        {
            file?.Dispose();
        }
    }

    /// <summary>The module of an ELF image whose header is at <paramref name="start"/>, from its parsed headers.</summary>
    internal static ModuleSnapshot ElfModule(string path, ulong start, ElfImage image)
    {
        var segments = image.LoadedSegments(start);
        // Breakpad's naming: the full path, with the file name replaced by DT_SONAME when there is one.
        string name = image.SoName is { Length: > 0 } so ? Path.Combine(Path.GetDirectoryName(path) ?? "/", so) : path;
        // Listed up to the end of its code, as Breakpad's writer does (see ModuleSnapshot); all of it without code.
        ulong end = segments.Where(s => s.Execute).Select(s => s.End).DefaultIfEmpty(start + image.MaxLoadEnd - image.MinLoadAddress).Max();
        return new ModuleSnapshot(path, name, start, end - start, image.BuildId, ModuleKind.Elf, 0, segments);
    }

    internal static ModuleSnapshot? Vdso(Mapping m, IMemorySource memory)
    {
        var bytes = new byte[m.Size];
        if (memory.Read(m.Start, bytes) < 64)
            return null;
        var image = ElfImage.TryParse(bytes);
        var segments = image?.LoadedSegments(m.Start) ?? [];
        return new ModuleSnapshot("linux-gate.so", "linux-gate.so", m.Start, m.Size, image?.BuildId, ModuleKind.Vdso, 0, segments);
    }

    /// <summary>The end of the run of adjacent mappings of the same file that starts with <paramref name="first"/>.</summary>
    private static ulong MappedRunEnd(Mapping first, IReadOnlyList<Mapping> mappings)
    {
        ulong end = first.End;
        foreach (var m in mappings)
            if (m.Start == end && m.Inode == first.Inode && m.Device == first.Device) end = m.End;
        return end;
    }

    private static SafeFileHandle? TryOpen(ProcDirectory proc, string relative)
    {
        try
        {
            return proc.OpenFile(relative);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
