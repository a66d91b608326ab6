using System.Text;
using OpenWer.Capture.Elf;
using OpenWer.Capture.Proc;
using OpenWer.Snapshot;
using OpenWer.Format;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Refilter;

/// <summary>
/// A minidump read back as a snapshot, so a dump can be re-filtered (a heap dump down to a mini dump) by the
/// same selection and writer as a live process: threads and contexts, modules (their segments from the ELF
/// headers held in the dump), mappings from LINUX_MAPS, the exception, the raw Linux streams, and memory.
/// </summary>
public static class MinidumpSnapshot
{
    private const ulong FileTimeEpochOffset = 11644473600UL, FileTimeTicksPerSecond = 10_000_000UL;

    public static ProcessSnapshot Read(MinidumpReader dump)
    {
        var names = dump.ReadThreadNames();
        var infos = dump.ReadThreadInfoList().ToDictionary(t => t.ThreadId);
        var memory = new DumpMemory(dump);
        var misc = dump.ReadMiscInfo();
        // Times are kept in FILETIME units (a "clock tick" of 100 ns), so writing them again gives the same values.
        ulong start = misc?.ProcessCreateTime ?? 0;
        ulong startFileTime = (start + FileTimeEpochOffset) * FileTimeTicksPerSecond;
        var system = dump.ReadSystemInfo() ?? throw new Format.MinidumpFormatException("the dump has no SystemInfo");
        // The context layout follows SystemInfo's architecture, for every thread.
        Func<LocationDescriptor, CpuContext> context = system.ProcessorArchitecture switch
        {
            ProcessorArchitecture.Amd64 => l => new Amd64Context(dump.ReadContextAmd64(l)),
            ProcessorArchitecture.Arm64 => l => new Arm64Context(dump.ReadContextArm64(l)),
            ProcessorArchitecture.Intel => l => new X86Context(dump.ReadContextX86(l)),
            var other => throw new Format.MinidumpFormatException($"re-filtering a dump of architecture {other} is not supported (AMD64, ARM64 and x86 are)"),
        };
        var threads = dump.ReadThreads().Select(t => new ThreadSnapshot((int)t.ThreadId, names.GetValueOrDefault(t.ThreadId),
            context(t.ThreadContext), t.Teb,
            infos.TryGetValue(t.ThreadId, out var i)
                ? new ThreadTimes(i.UserTime, i.KernelTime, i.CreateTime > startFileTime ? i.CreateTime - startFileTime : 0, i.Affinity) : default)).ToList();
        var modules = dump.ReadModules().Select(m => Module(m, memory)).ToList();
        byte[] Stream(StreamType t) => dump.ReadStream(t) ?? [];
        var maps = Stream(StreamType.LinuxMaps);
        var mappings = maps.Length > 0 ? ProcMaps.Parse(Encoding.UTF8.GetString(maps))
            : dump.ReadMemoryInfoList().Select(i => new Mapping(i.BaseAddress, i.BaseAddress + i.RegionSize, true,
                MemoryInfo.IsWritable(i.Protect), MemoryInfo.IsExecutable(i.Protect), i.Type == MemoryInfo.TypeMapped, 0, "00:00", 0, "")).ToList();
        var e = dump.ReadException();
        var facts = new SystemFacts(system.ProcessorArchitecture, system.NumberOfProcessors, system.ProcessorLevel, system.ProcessorRevision,
            system.MajorVersion, system.MinorVersion, system.BuildNumber, system.CsdVersionRva != 0 ? dump.ReadString(system.CsdVersionRva) : "",
            [system.VendorId0, system.VendorId1, system.VendorId2], system.VersionInformation, system.FeatureInformation,
            start, FileTimeTicksPerSecond);
        var files = new ProcessFiles(Stream(StreamType.LinuxProcStatus), Stream(StreamType.LinuxCmdLine), Stream(StreamType.LinuxEnviron),
            Stream(StreamType.LinuxAuxv), maps, Stream(StreamType.LinuxCpuInfo), Stream(StreamType.LinuxLsbRelease));
        var handles = dump.ReadHandles().Select(h => new OpenHandle((int)h.Descriptor.Handle, h.TypeName ?? "", h.ObjectName ?? "")).ToList();
        var exception = e is { } x ? new ExceptionSnapshot((int)x.ThreadId, x.ExceptionCode, x.ExceptionFlags, x.ExceptionAddress, x.ExceptionInformation) : null;
        return new ProcessSnapshot((int)(misc?.ProcessId ?? 0), modules.FirstOrDefault()?.Path ?? "", threads, modules, mappings, handles, files, facts,
            new ThreadTimes((misc?.ProcessUserTime ?? 0) * FileTimeTicksPerSecond, (misc?.ProcessKernelTime ?? 0) * FileTimeTicksPerSecond, 0, 0), exception, memory)
        {
            DynamicLinker = dump.ReadDsoDebug() is { } d
                ? new DynamicLinkerSnapshot((int)d.Debug.Version, d.Debug.Brk, d.Debug.LdBase, d.Debug.Dynamic, d.DynamicSection,
                    d.Objects.Select(o => new LoadedObject(o.Entry.Address, o.Name, o.Entry.Dynamic)).ToList())
                : null,
        };
    }

    private static ModuleSnapshot Module(ModuleRecord m, DumpMemory memory)
    {
        ulong start = m.Module.BaseOfImage;
        var segments = ElfImage.TryParse((offset, dest) => memory.Read(start + (ulong)offset, dest))?.LoadedSegments(start) ?? [];
        var kind = m.Name == "linux-gate.so" ? ModuleKind.Vdso : m.BuildId is null && m.Module.TimeDateStamp != 0 ? ModuleKind.PortableExecutable : ModuleKind.Elf;
        return new ModuleSnapshot(m.Name, m.Name, start, m.Module.SizeOfImage, m.BuildId, kind, m.Module.TimeDateStamp, segments);
    }

    private sealed class DumpMemory(MinidumpReader dump) : IMemorySource
    {
        public int Read(ulong address, Span<byte> destination) => dump.ReadMemory(address, destination);
    }
}
