using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using OpenWer.Capture.Elf;
using OpenWer.Capture.Live;
using OpenWer.Format.Streams;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Core;

/// <summary>
/// A snapshot of the process an ELF core file was written of (a kernel core, gcore's, a systemd-coredump file after
/// decompression): threads and registers from its notes, memory from its PT_LOAD segments, mapped files from NT_FILE,
/// modules from the ELF headers the core holds (the kernel keeps each ELF mapping's first page), the signal it died of.
/// What a core does not hold is taken from this machine (the CPU and OS facts) or left empty (thread names and times,
/// the environment, open files). The file stays open, for the snapshot's memory, until this is disposed.
/// </summary>
public sealed class ElfCoreFile : ISnapshotSource
{
    private const ushort ET_CORE = 4;
    private const ulong AT_ENTRY = 9, AT_SYSINFO_EHDR = 33;
    private const int MaxProgramHeaders = 65535;
    private readonly FileStream _file;

    public ProcessSnapshot Snapshot { get; }

    private ElfCoreFile(FileStream file, ProcessSnapshot snapshot) => (_file, Snapshot) = (file, snapshot);

    public void Dispose() => _file.Dispose();

    /// <summary>Opens a core file; throws <see cref="CaptureException"/> saying what is wrong with one that is not a core it can read.</summary>
    public static ElfCoreFile Open(string path, bool withAvx = true)
    {
        // One open file for all of it: the notes are read through the stream, the headers and memory at offsets.
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var handle = file.SafeFileHandle;
            var header = new byte[64];
            if (RandomAccess.Read(handle, header, 0) < 52 || !ElfImage.HasElfMagic(header))
                throw new CaptureException($"{path} is not an ELF file");
            bool is64 = header[4] == 2;
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(16)), machine = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
            if (type != ET_CORE)
                throw new CaptureException($"{path} is an ELF file but not a core (e_type {type}; a core is 4)");
            if (!(is64 && machine is ElfImage.EM_X86_64 or ElfImage.EM_AARCH64) && !(!is64 && machine == ElfImage.EM_386))
                throw new CaptureException($"{path} is a core of machine {machine} ({(is64 ? 64 : 32)}-bit); x86_64, arm64 and i386 cores can be read");
            var segments = Segments(handle, header, is64);
            file.Position = 0;
            var notes = CoreNotes.Read(file, keepXState: withAvx, keepFiles: true);
            if (notes.Threads.Count == 0)
                throw new CaptureException($"{path} holds no thread (no NT_PRSTATUS note)");
            return new ElfCoreFile(file, Build(notes, segments, new CoreFileMemory(handle, segments), withAvx));
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            file.Dispose();
            throw new CaptureException($"{path} is cut short or unreadable as a core: {e.Message}");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static List<CoreSegment> Segments(SafeFileHandle file, byte[] header, bool is64)
    {
        long phoff = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32)) : BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(28));
        int entry = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(is64 ? 54 : 42));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(is64 ? 56 : 44));
        if (entry < (is64 ? 56 : 32) || count > MaxProgramHeaders)
            throw new CaptureException("the core's program headers are not an ELF core's");
        var table = new byte[entry * count];
        if (RandomAccess.Read(file, table, phoff) != table.Length)
            throw new CaptureException("the core is cut short in its program headers");
        var segments = new List<CoreSegment>();
        for (int i = 0; i < count; i++)
        {
            var p = table.AsSpan(i * entry);
            if (BinaryPrimitives.ReadUInt32LittleEndian(p) != 1) // PT_LOAD
                continue;
            // Elf64_Phdr: flags @4, offset @8, vaddr @16, filesz @32, memsz @40; Elf32_Phdr: offset @4, vaddr @8, filesz @16, memsz @20, flags @24.
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(p[(is64 ? 4 : 24)..]);
            segments.Add(new CoreSegment(Word(p, is64, 16, 8), Word(p, is64, 40, 20), Word(p, is64, 8, 4), Word(p, is64, 32, 16),
                (flags & 4) != 0, (flags & 2) != 0, (flags & 1) != 0));
        }
        return segments;
    }

    private static ulong Word(ReadOnlySpan<byte> p, bool is64, int at64, int at32) =>
        is64 ? BinaryPrimitives.ReadUInt64LittleEndian(p[at64..]) : BinaryPrimitives.ReadUInt32LittleEndian(p[at32..]);

    private static ProcessSnapshot Build(CoreNotes notes, List<CoreSegment> segments, CoreFileMemory memory, bool withAvx)
    {
        int wordSize = notes.AuxvWordSize;
        var (pid, name, arguments) = ProcessInfo(notes.ProcessInfo, notes.IsX86, notes.Threads[0].ThreadId);
        var threads = notes.Threads.Select(t =>
        {
            var r = CrashedProcessCapture.Registers(t, notes.Architecture, withAvx);
            return new ThreadSnapshot(t.ThreadId, t.ThreadId == pid ? name : null, r.Context, r.ThreadPointer, default);
        }).ToList();
        var mappings = CoreFileMappings.From(segments, notes.MappedFiles, wordSize);
        var auxv = ModuleScanner.ParseAuxv(notes.Auxv, wordSize);
        var modules = new List<ModuleSnapshot>();
        var head = new byte[4];
        foreach (var m in mappings)
        {
            if (auxv.GetValueOrDefault(AT_SYSINFO_EHDR) is ulong vdso && vdso != 0 && m.Start == vdso)
            {
                if (ModuleScanner.Vdso(m, memory) is { } v)
                    modules.Add(v);
            }
            else if (m.Offset == 0 && m.IsFileBacked && memory.Read(m.Start, head) == 4 && ElfImage.HasElfMagic(head)
                && ElfImage.TryParse((offset, dest) => memory.Read(m.Start + (ulong)offset, dest)) is { } image)
            {
                modules.Add(ModuleScanner.ElfModule(m.Path, m.Start, image));
            }
        }
        modules = ModuleScanner.InLoadOrder(modules, auxv.GetValueOrDefault(AT_ENTRY));

        // The kernel writes the thread that took the signal first; gcore of a running process has no signal.
        var signal = notes.SignalInfo;
        var exception = signal.Signal != 0
            ? ExceptionSnapshot.ForSignal(threads[0].ThreadId, signal.Signal, signal.Code, signal.Address)
            : new ExceptionSnapshot(threads[0].ThreadId, ExceptionSnapshot.DumpRequested, 0, threads[0].InstructionPointer, []);
        // A core holds no CPU or kernel facts: this machine's stand in, but not its CPU's for a core of another one.
        var here = SystemFactsReader.Read();
        bool sameCpu = here.Architecture == notes.Architecture
            || (here.Architecture == ProcessorArchitecture.Amd64 && notes.Architecture == ProcessorArchitecture.Intel);
        var system = sameCpu ? here with { Architecture = notes.Architecture }
            : here with { Architecture = notes.Architecture, ProcessorLevel = 0, ProcessorRevision = 0, CpuVendor = [0, 0, 0], CpuVersion = 0, CpuFeatures = 0 };
        var files = new ProcessFiles(Encoding.UTF8.GetBytes($"Name:\t{name}\nPid:\t{pid}\n"), arguments, [], notes.Auxv,
            CoreFileMappings.MapsText(mappings), sameCpu ? ReadOrEmpty("/proc/cpuinfo") : [], File.Exists("/etc/lsb-release") ? ReadOrEmpty("/etc/lsb-release") : ReadOrEmpty("/etc/os-release"));
        string executable = modules.FirstOrDefault()?.Path ?? name;
        return new ProcessSnapshot(pid, executable, threads, modules, mappings, [], files, system, default, exception, memory)
        {
            DynamicLinker = DynamicLinkerReader.Read(memory, auxv, wordSize),
        };
    }

    /// <summary>
    /// elf_prpsinfo: pr_pid, pr_fname (16 bytes) and pr_psargs (the first 80 bytes of the command line, spaces between
    /// the arguments). 64-bit: pid @24, fname @40, psargs @56; 32-bit: pid @12, fname @28, psargs @44.
    /// </summary>
    private static (int Pid, string Name, byte[] Arguments) ProcessInfo(byte[]? info, bool x86, int firstThread)
    {
        int pidAt = x86 ? 12 : 24, nameAt = x86 ? 28 : 40, argsAt = x86 ? 44 : 56;
        if (info is null || info.Length < argsAt + 80)
            return (firstThread, "", []);
        static string Text(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s[..(s.IndexOf((byte)0) is int n and >= 0 ? n : s.Length)]);
        string args = Text(info.AsSpan(argsAt, 80)).TrimEnd();
        // LINUX_CMD_LINE separates arguments with NULs; psargs has spaces (so an argument holding one is split).
        var bytes = Encoding.UTF8.GetBytes(args.Replace(' ', '\0') + "\0");
        return (BinaryPrimitives.ReadInt32LittleEndian(info.AsSpan(pidAt)), Text(info.AsSpan(nameAt, 16)), bytes);
    }

    private static byte[] ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
