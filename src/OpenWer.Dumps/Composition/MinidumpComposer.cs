using System.Text;
using OpenWer.Snapshot;
using OpenWer.Dumps.Selection;
using OpenWer.Format;
using OpenWer.Format.Streams;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Composition;

/// <summary>Lays a selection out as a minidump: one method per stream, in Breakpad's order, then the extras.</summary>
public static class MinidumpComposer
{
    private const ulong FileTimeEpochOffset = 11644473600UL;
    private static readonly string[] CredentialLines = ["Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters"];

    public static MinidumpWriteResult Write(ProcessSnapshot snapshot, DumpSelection selection, Stream output, DateTimeOffset now)
    {
        var b = new MinidumpBuilder();
        var contexts = AddContexts(b, selection);
        AddThreadList(b, snapshot, selection, contexts);
        AddModuleList(b, selection);
        b.AddMemoryListStream();
        AddException(b, snapshot, selection, contexts);
        AddSystemInfo(b, snapshot);
        AddMiscInfo(b, snapshot);
        if (selection.BulkMemory.Count > 0)
            b.AddMemory64ListStream(selection.BulkMemory);
        if (selection.Has(MinidumpType.WithFullMemoryInfo))
            AddMemoryInfoList(b, snapshot);
        if (selection.Has(MinidumpType.WithThreadInfo))
            AddThreadInfoList(b, snapshot, selection);
        if (selection.Has(MinidumpType.WithHandleData))
            AddHandles(b, snapshot, selection);
        if (selection.Has(MinidumpType.WithUnloadedModules))
            b.AddHeaderedList<UnloadedModule>(StreamType.UnloadedModuleList, [], UnloadedModule.ListHeaderSize, UnloadedModule.Size, (e, d) => e.Write(d));
        bool optional = !selection.Has(MinidumpType.WithoutOptionalData);
        bool personal = !selection.Has(MinidumpType.FilterTriage);
        if (optional)
            AddThreadNames(b, selection);
        AddBreakpadInfo(b, snapshot);
        AddLinuxStreams(b, snapshot, selection, optional, personal);
        if (snapshot.DynamicLinker is { } linker)
            AddDsoDebug(b, linker, selection, wide: snapshot.System.Architecture != ProcessorArchitecture.Intel);

        IMemorySource memory = selection.FilterStacks
            ? new StackFilteringMemory(snapshot.Memory, [.. selection.Stacks.Values], selection.Modules, snapshot.System.PointerSize)
            : snapshot.Memory;
        return b.WriteTo(output, memory, selection.Flags, (uint)now.ToUnixTimeSeconds(),
            selection.Has(MinidumpType.IgnoreInaccessibleMemory));
    }

    private static Dictionary<int, LocationDescriptor> AddContexts(MinidumpBuilder b, DumpSelection selection)
    {
        var result = new Dictionary<int, LocationDescriptor>();
        bool avx = selection.Has(MinidumpType.WithAvxXStateContext);
        foreach (var t in selection.Threads)
        {
            // The snapshot is not changed: another selection of it may want the AVX state.
            int size = t.Context.EncodedSize(avx);
            var span = b.Reserve(size, 16, out uint rva);
            t.Context.Write(span, avx);
            result[t.ThreadId] = new LocationDescriptor((uint)size, rva);
        }
        return result;
    }

    private static void AddThreadList(MinidumpBuilder b, ProcessSnapshot snapshot, DumpSelection selection, Dictionary<int, LocationDescriptor> contexts)
    {
        var threads = selection.Threads;
        int size = 4 + threads.Count * MinidumpThread.Size;
        var span = b.Reserve(size, 8, out uint rva);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)threads.Count);
        var patches = new List<(uint Site, int Index, ulong Offset)>();
        for (int i = 0; i < threads.Count; i++)
        {
            var t = threads[i];
            var stack = selection.Stacks.TryGetValue(t.ThreadId, out var s) ? s : default;
            new MinidumpThread((uint)t.ThreadId, 0, 0, 0, t.ThreadPointer,
                new MemoryDescriptor(stack.Start, new LocationDescriptor((uint)stack.Size, 0)), contexts[t.ThreadId])
                .Write(span.Slice(4 + i * MinidumpThread.Size, MinidumpThread.Size));
            int listed = FindListed(selection.ListedMemory, stack);
            if (listed >= 0)
                patches.Add((rva + 4 + (uint)(i * MinidumpThread.Size) + MinidumpThread.StackRvaOffset, listed, stack.Start - selection.ListedMemory[listed].Start));
        }
        foreach (var range in selection.ListedMemory)
            b.AddListedMemory(range);
        foreach (var (site, index, offset) in patches)
            b.PatchListedMemoryRva(site, index, offset);
        b.AddStream(StreamType.ThreadList, new LocationDescriptor((uint)size, rva));
    }

    private static int FindListed(IReadOnlyList<MemoryRange> listed, MemoryRange stack)
    {
        if (stack.Size == 0)
            return -1;
        for (int i = 0; i < listed.Count; i++)
            if (listed[i].Contains(stack.Start) && stack.End <= listed[i].End) return i;
        return -1;
    }

    private static void AddModuleList(MinidumpBuilder b, DumpSelection selection)
    {
        var entries = new List<MinidumpModule>();
        foreach (var m in selection.Modules)
        {
            string name = selection.StripModulePaths ? Path.GetFileName(m.Name) : m.Name;
            uint nameRva = b.AppendString(name);
            var cv = default(LocationDescriptor);
            if (m.BuildId is { Length: > 0 } id && !selection.ModulesWithoutCodeView.Contains(m.Base))
            {
                var record = CodeViewRecord.ForElfBuildId(id);
                cv = new LocationDescriptor((uint)record.Length, b.Append(record, 4));
            }
            entries.Add(new MinidumpModule(m.Base, (uint)Math.Min(m.Size, uint.MaxValue), 0, m.TimeDateStamp, nameRva, cv, default));
        }
        b.AddCountedList(StreamType.ModuleList, entries, MinidumpModule.Size, (e, d) => e.Write(d));
    }

    private static void AddException(MinidumpBuilder b, ProcessSnapshot snapshot, DumpSelection selection, Dictionary<int, LocationDescriptor> contexts)
    {
        if (snapshot.Exception is not { } e || !contexts.TryGetValue(e.ThreadId, out var context))
            return;
        var stream = new ExceptionStream((uint)e.ThreadId, e.Code, e.Flags, 0, e.Address, e.Parameters, context);
        var span = b.Reserve(ExceptionStream.Size, 8, out uint rva);
        stream.Write(span);
        b.AddStream(StreamType.Exception, new LocationDescriptor(ExceptionStream.Size, rva));
    }

    private static void AddSystemInfo(MinidumpBuilder b, ProcessSnapshot snapshot)
    {
        var s = snapshot.System;
        uint csd = b.AppendString(s.UnameDescription);
        var info = new SystemInfo(s.Architecture, s.ProcessorLevel, s.ProcessorRevision, (byte)Math.Min(255, s.ProcessorCount), 1,
            s.KernelMajor, s.KernelMinor, s.KernelPatch, PlatformId.Linux, csd,
            s.CpuVendor[0], s.CpuVendor[1], s.CpuVendor[2], s.CpuVersion, s.CpuFeatures, 0);
        var span = b.Reserve(SystemInfo.Size, 8, out uint rva);
        info.Write(span);
        b.AddStream(StreamType.SystemInfo, new LocationDescriptor(SystemInfo.Size, rva));
    }

    private static void AddMiscInfo(MinidumpBuilder b, ProcessSnapshot snapshot)
    {
        var s = snapshot.System;
        var t = snapshot.ProcessTimes;
        var info = new MiscInfo(MiscInfoFlags.ProcessId | MiscInfoFlags.ProcessTimes, (uint)snapshot.ProcessId,
            (uint)(s.BootTimeUnixSeconds + t.StartTicks / s.ClockTicksPerSecond),
            (uint)(t.UserTicks / s.ClockTicksPerSecond), (uint)(t.SystemTicks / s.ClockTicksPerSecond));
        var span = b.Reserve(MiscInfo.Size, 8, out uint rva);
        info.Write(span);
        b.AddStream(StreamType.MiscInfo, new LocationDescriptor(MiscInfo.Size, rva));
    }

    private static void AddMemoryInfoList(MinidumpBuilder b, ProcessSnapshot snapshot)
    {
        var entries = snapshot.Mappings.Select(m =>
        {
            var module = snapshot.Modules.FirstOrDefault(mod => IsPartOfImage(m, mod));
            uint protect = MemoryInfo.ProtectFor(m.Read, m.Write, m.Execute, m.Shared, m.IsFileBacked);
            uint type = module is not null ? MemoryInfo.TypeImage : m.IsFileBacked || m.Shared ? MemoryInfo.TypeMapped : MemoryInfo.TypePrivate;
            uint state = MemoryInfo.StateFor(m.Read, m.Write, m.Execute);
            // A reserved region has no current protection; the protection it was reserved with is NOACCESS.
            return new MemoryInfo(m.Start, module?.Base ?? m.Start, protect, m.Size, state, state == MemoryInfo.StateReserve ? 0 : protect, type);
        }).ToList();
        b.AddHeaderedList(StreamType.MemoryInfoList, entries, MemoryInfo.ListHeaderSize, MemoryInfo.Size, (e, d) => e.Write(d));
    }

    /// <summary>
    /// Whether a mapping is the module's image (MEM_IMAGE): a mapping of the module's own file in its range, or for an ELF
    /// module an anonymous mapping inside one of its segments (its .bss, as Windows counts uninitialised data in the image).
    /// A flat-mapped assembly's SizeOfImage reaches past its file, over memory that is not the module's.
    /// </summary>
    private static bool IsPartOfImage(Mapping m, ModuleSnapshot module)
    {
        if (!module.Holds(m.Start))
            return false;
        if (m.Inode != 0)
            return m.MapsFile(module.Path);
        return module.Segments.Any(s => m.Start >= s.Start && m.Start < s.End);
    }

    private static void AddThreadInfoList(MinidumpBuilder b, ProcessSnapshot snapshot, DumpSelection selection)
    {
        var s = snapshot.System;
        ulong toFileTime = 10_000_000UL / s.ClockTicksPerSecond;
        var entries = selection.Threads.Select(t => new ThreadInfo((uint)t.ThreadId, 0, 0, 0,
            (s.BootTimeUnixSeconds + FileTimeEpochOffset) * 10_000_000UL + t.Times.StartTicks * toFileTime, 0,
            t.Times.SystemTicks * toFileTime, t.Times.UserTicks * toFileTime, 0, t.Times.Affinity)).ToList();
        b.AddHeaderedList(StreamType.ThreadInfoList, entries, ThreadInfo.ListHeaderSize, ThreadInfo.Size, (e, d) => e.Write(d));
    }

    private static void AddHandles(MinidumpBuilder b, ProcessSnapshot snapshot, DumpSelection selection)
    {
        bool names = !selection.Has(MinidumpType.FilterTriage);
        var entries = snapshot.Handles.Select(h => new HandleDescriptor((ulong)h.Descriptor, b.AppendString(h.TypeName),
            names ? b.AppendString(h.Target) : 0, 0, 0, 1, 1)).ToList();
        b.AddHeaderedList(StreamType.HandleData, entries, HandleDescriptor.ListHeaderSize, HandleDescriptor.Size, (e, d) => e.Write(d));
    }

    private static void AddThreadNames(MinidumpBuilder b, DumpSelection selection)
    {
        var entries = selection.Threads.Where(t => !string.IsNullOrEmpty(t.Name))
            .Select(t => new ThreadNameEntry((uint)t.ThreadId, b.AppendString(t.Name!))).ToList();
        b.AddCountedList(StreamType.ThreadNames, entries, ThreadNameEntry.Size, (e, d) => e.Write(d));
    }

    private static void AddBreakpadInfo(MinidumpBuilder b, ProcessSnapshot snapshot)
    {
        if (snapshot.Exception is not { } e)
            return;
        var span = b.Reserve(BreakpadInfo.Size, 4, out uint rva);
        new BreakpadInfo(BreakpadInfo.RequestingThreadValid, 0, (uint)e.ThreadId).Write(span);
        b.AddStream(StreamType.BreakpadInfo, new LocationDescriptor(BreakpadInfo.Size, rva));
    }

    private static void AddLinuxStreams(MinidumpBuilder b, ProcessSnapshot snapshot, DumpSelection selection, bool optional, bool personal)
    {
        var f = snapshot.Files;
        // LLDB takes the pid from MiscInfo or the "Pid:" line here; the credential lines are TokenInformation.
        b.AddStream(StreamType.LinuxProcStatus, selection.Has(MinidumpType.WithTokenInformation) ? f.Status : StripCredentials(f.Status));
        if (selection.Has(MinidumpType.WithProcessThreadData))
        {
            b.AddStream(StreamType.LinuxAuxv, f.Auxv);
            if (personal && optional)
                b.AddStream(StreamType.LinuxEnviron, f.Environment);
        }
        if (!optional)
            return;
        b.AddStream(StreamType.LinuxCpuInfo, f.CpuInfo);
        b.AddStream(StreamType.LinuxLsbRelease, f.LsbRelease);
        if (personal)
            b.AddStream(StreamType.LinuxCmdLine, f.CommandLine);
        b.AddStream(StreamType.LinuxMaps, f.Maps);
    }

    /// <summary>
    /// Breakpad's LINUX_DSO_DEBUG, in every dump type as Breakpad writes it: r_debug, one MDRawLinkMap per loaded
    /// object with its name, and the executable's dynamic section after the header; the 32-bit layout for an x86 dump.
    /// </summary>
    private static void AddDsoDebug(MinidumpBuilder b, DynamicLinkerSnapshot linker, DumpSelection selection, bool wide)
    {
        var names = linker.Objects.Select(o => b.AppendString(selection.StripModulePaths ? Path.GetFileName(o.Name) : o.Name)).ToList();
        int entrySize = LinkMapEntry.SizeFor(wide);
        var map = b.Reserve(linker.Objects.Count * entrySize, 8, out uint mapRva);
        for (int i = 0; i < linker.Objects.Count; i++)
        {
            var o = linker.Objects[i];
            new LinkMapEntry(o.LoadBias, names[i], o.DynamicAddress).Write(map[(i * entrySize)..], wide);
        }
        int headerSize = LinuxDsoDebug.SizeFor(wide);
        int size = headerSize + linker.DynamicSection.Length;
        var body = b.Reserve(size, 8, out uint rva);
        new LinuxDsoDebug((uint)linker.Version, linker.Objects.Count == 0 ? 0 : mapRva, (uint)linker.Objects.Count, linker.Brk, linker.LdBase,
            linker.DynamicAddress).Write(body, wide);
        linker.DynamicSection.CopyTo(body[headerSize..]);
        b.AddStream(StreamType.LinuxDsoDebug, new LocationDescriptor((uint)size, rva));
    }

    private static byte[] StripCredentials(byte[] status)
    {
        var lines = Encoding.UTF8.GetString(status).Split('\n')
            .Where(l => !CredentialLines.Any(c => l.StartsWith(c + ":", StringComparison.Ordinal)));
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }
}
