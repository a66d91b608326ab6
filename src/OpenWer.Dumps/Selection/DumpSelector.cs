using System.Buffers.Binary;
using OpenWer.Snapshot;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Selection;

/// <summary>
/// Turns MINIDUMP_TYPE flags into a selection from a snapshot. Every bit's Linux meaning is documented in
/// docs/minidump-type-flags.md; this file is that table in code.
/// </summary>
public static class DumpSelector
{
    /// <summary>The red zone below the stack pointer (x86_64 SysV: 128 bytes) holds live data of a leaf function.</summary>
    private const ulong RedZone = 128;
    /// <summary>A cap per thread stack, for a corrupt stack pointer or an unusual huge stack.</summary>
    private const ulong MaxStack = 8 << 20;
    /// <summary>How far below a stack its overflowed stack pointer is looked for: the kernel's default guard gap and a page.</summary>
    private const ulong GuardReach = (256 + 1) * 4096;
    /// <summary>WithIndirectlyReferencedMemory: bytes kept around each pointer found on a stack, and the most pointers followed.</summary>
    private const ulong IndirectBefore = 256, IndirectAfter = 768;
    private const int MaxIndirectPointers = 4096;
    private const ulong Page = 4096;

    public static DumpSelection Select(ProcessSnapshot snapshot, MinidumpType flags, int? onlyThreadId = null, IReadOnlyList<MemoryRange>? extraMemory = null,
        DumpFilter? filter = null)
    {
        bool Has(MinidumpType f) => (flags & f) == f;
        int exceptionThread = snapshot.Exception?.ThreadId ?? snapshot.ProcessId;
        uint ThreadFlags(ThreadSnapshot t) => filter?.ThreadFlags(t.ThreadId == exceptionThread) ?? uint.MaxValue;
        uint ModuleFlags(ModuleSnapshot m) => filter?.ModuleFlags(m.Name) ?? uint.MaxValue;

        var threads = onlyThreadId is int only
            ? snapshot.Threads.Where(t => t.ThreadId == only).ToList()
            : [.. snapshot.Threads];
        threads = threads.Where(t => (ThreadFlags(t) & DumpFilter.ThreadWriteThread) != 0).ToList();
        if (threads.Count == 0)
            throw new ArgumentException($"thread {onlyThreadId} is not in the snapshot", nameof(onlyThreadId));

        var stacks = new Dictionary<int, MemoryRange>();
        foreach (var t in threads.Where(t => (ThreadFlags(t) & DumpFilter.ThreadWriteStack) != 0))
        {
            var sp = t.StackPointer;
            if (snapshot.FindMapping(sp) is { Read: true } m)
            {
                ulong start = Math.Max(m.Start, (sp - Math.Min(sp, RedZone)) & ~15UL);
                ulong end = Math.Min(m.End, start + MaxStack);
                stacks[t.ThreadId] = new MemoryRange(start, end - start);
            }
            else if (StackAboveGuard(snapshot, sp) is { } above)
            {
                // A stack overflow: the stack pointer ran into the guard below the stack, and the frames are above it.
                stacks[t.ThreadId] = new MemoryRange(above.Start, Math.Min(above.End, above.Start + MaxStack) - above.Start);
            }
        }

        var stackWords = ReadStackWords(snapshot, stacks.Values,
            Has(MinidumpType.ScanMemory) || Has(MinidumpType.WithIndirectlyReferencedMemory));

        var modules = snapshot.Modules.ToList();
        if (Has(MinidumpType.ScanMemory))
        {
            // Keep the modules a stack word or a thread's instruction pointer refers to, and the main executable.
            var referenced = stackWords.Concat(threads.Select(t => t.InstructionPointer)).ToList();
            modules = modules.Where((m, i) => i == 0 || referenced.Any(m.Holds)).ToList();
        }

        modules = modules.Where(m => (ModuleFlags(m) & DumpFilter.ModuleWriteModule) != 0).ToList();
        var withoutCodeView = modules.Where(m => (ModuleFlags(m) & DumpFilter.ModuleWriteCvRecord) == 0).Select(m => m.Base).ToHashSet();

        var small = new RangeSet();
        foreach (var s in stacks.Values)
            small.Add(s);
        // What a reader wants whatever the type (the abort message): a few KiB, kept in micro dumps too.
        foreach (var notable in snapshot.NotableMemory)
            small.Add(notable);
        foreach (var extra in extraMemory ?? [])
            small.Add(extra);
        if (Has(MinidumpType.WithDataSegs))
            foreach (var seg in modules.Where(m => (ModuleFlags(m) & DumpFilter.ModuleWriteDataSeg) != 0).SelectMany(m => m.Segments).Where(s => s.Write))
                small.Add(seg.Start, seg.End);
        if (Has(MinidumpType.WithCodeSegs))
            foreach (var seg in modules.Where(m => (ModuleFlags(m) & DumpFilter.ModuleWriteCodeSegs) != 0).SelectMany(m => m.Segments).Where(s => s.Execute))
                small.Add(seg.Start, seg.End);
        if (Has(MinidumpType.WithModuleHeaders))
            foreach (var m in modules)
                small.Add(m.Base, m.Base + Page);
        if (Has(MinidumpType.WithProcessThreadData))
        {
            // x86_64 and i386 variant II TLS: the static TLS blocks lie just below the thread pointer, the TCB at it.
            foreach (var t in threads.Where(t => t.ThreadPointer != 0))
                small.Add((t.ThreadPointer & ~(Page - 1)) - Page, (t.ThreadPointer & ~(Page - 1)) + 2 * Page);
        }
        if (Has(MinidumpType.WithIndirectlyReferencedMemory))
        {
            int followed = 0;
            foreach (ulong p in stackWords)
            {
                if (followed >= MaxIndirectPointers)
                    break;
                if (snapshot.FindMapping(p) is not { Read: true } m || m.IsUnreadableSpecial || stacks.Values.Any(s => s.Contains(p)))
                    continue;
                if (modules.Any(mod => mod.Holds(p) && mod.Segments.Any(s => s.Execute && p >= s.Start && p < s.End)))
                    continue; // a return address, not data
                small.Add(Math.Max(m.Start, p - Math.Min(p, IndirectBefore)), Math.Min(m.End, p + IndirectAfter));
                followed++;
            }
        }

        // A file-backed mapping is readable up to the end of its file (past it the kernel raises SIGBUS).
        if (Has(MinidumpType.WithPrivateReadWriteMemory))
        {
            // The .NET runtime's data access layer reads type names from the metadata of the mapped assemblies
            // (PE images); a heap dump is of little use without them, so private-memory dumps carry them.
            // Only the assembly's own mappings: a flat-mapped one's SizeOfImage reaches past its file, over other memory.
            foreach (var m in modules.Where(m => m.Kind == ModuleKind.PortableExecutable))
                foreach (var own in snapshot.Mappings.Where(x => x.Start >= m.Base && x.Start - m.Base < m.Size && x.MapsFile(m.Path)))
                    small.Add(own.Start, Math.Min(own.End, m.Base + ((m.Size + 0xFFF) & ~0xFFFUL)));
            foreach (var seg in modules.Where(m => m.Kind == ModuleKind.Elf).SelectMany(m => m.Segments).Where(s => !s.Execute && !s.Write))
                small.Add(seg.Start, seg.End);
        }

        var readable = snapshot.Mappings.Where(m => m.Read && !m.IsUnreadableSpecial && m.ReadableEnd > m.Start)
            .Select(m => m.ReadableEnd < m.End ? m with { End = m.ReadableEnd } : m).ToList();
        var listed = Clip(small.ToList(), readable);

        var bulkSet = new RangeSet();
        bool bulk = false;
        foreach (var m in readable)
        {
            bool take = Has(MinidumpType.WithFullMemory)
                // memfd mappings whatever their protection: the .NET runtime's JIT code is a read-execute view of one
                // (write xor execute), and without it the DAC cannot name a single managed frame.
                || (Has(MinidumpType.WithPrivateReadWriteMemory) && m.IsAnonymous && (m.Write || m.Path.StartsWith("/memfd:", StringComparison.Ordinal)))
                || (Has(MinidumpType.WithPrivateWriteCopyMemory) && m.Write && !m.Shared && m.IsFileBacked);
            if (take)
            {
                bulkSet.Add(m.Start, m.End);
                bulk = true;
            }
        }
        List<MemoryRange> bulkRanges = [];
        if (bulk)
        {
            // Only the stacks stay in MemoryList, where threads refer to them (by an RVA, which must be below 4 GiB
            // of file); everything else goes to Memory64List, and the two are disjoint: ClrMD merges them and finds
            // an address by binary search, so a range listed in both would shadow the larger one and reads just past
            // a stack would come back empty (managed threads and objects lost).
            foreach (var r in listed)
                bulkSet.Add(r);
            var stackSet = new RangeSet();
            foreach (var s in stacks.Values)
                stackSet.Add(s);
            listed = Clip(stackSet.ToList(), readable);
            bulkRanges = RangeSet.Without(Clip(bulkSet.ToList(), readable), listed);
        }

        return new DumpSelection(flags, threads, stacks, modules, listed, bulkRanges,
            Has(MinidumpType.FilterMemory), Has(MinidumpType.FilterModulePaths) || Has(MinidumpType.FilterTriage))
        {
            ModulesWithoutCodeView = withoutCodeView,
        };
    }

    /// <summary>Intersects ranges with the readable mappings, so no range spans a hole, and splits at mapping boundaries.</summary>
    private static List<MemoryRange> Clip(List<MemoryRange> ranges, List<Mapping> readable)
    {
        var result = new List<MemoryRange>();
        int j = 0;
        foreach (var m in readable)
        {
            while (j < ranges.Count && ranges[j].End <= m.Start)
                j++;
            for (int k = j; k < ranges.Count && ranges[k].Start < m.End; k++)
            {
                ulong s = Math.Max(ranges[k].Start, m.Start), e = Math.Min(ranges[k].End, m.End);
                if (e > s)
                    result.Add(new MemoryRange(s, e - s));
            }
        }
        // Merge pieces that touch (adjacent mappings) to keep the lists short.
        var merged = new List<MemoryRange>();
        foreach (var r in result)
        {
            if (merged.Count > 0 && merged[^1].End == r.Start)
                merged[^1] = new MemoryRange(merged[^1].Start, merged[^1].Size + r.Size);
            else
                merged.Add(r);
        }
        return merged;
    }

    /// <summary>The pointer-sized words of the stacks (4 bytes in a 32-bit process), those that could be addresses.</summary>
    /// <summary>
    /// The stack a stack pointer has overflowed out of: the readable, writable, anonymous mapping just above it, when the
    /// pointer is in no readable mapping and at most <see cref="GuardReach"/> below it (a thread's PROT_NONE guard
    /// page, or the kernel's stack_guard_gap of 256 pages below [stack]).
    /// </summary>
    private static Mapping? StackAboveGuard(ProcessSnapshot snapshot, ulong sp)
    {
        if (snapshot.FindMapping(sp) is { Read: true })
            return null;
        foreach (var m in snapshot.Mappings)
            if (m.Start > sp)
                return m.Start - sp <= GuardReach && m is { Read: true, Write: true } && m.IsAnonymous ? m : null;
        return null;
    }

    private static List<ulong> ReadStackWords(ProcessSnapshot snapshot, IEnumerable<MemoryRange> stacks, bool needed)
    {
        var words = new List<ulong>();
        if (!needed)
            return words;
        int size = snapshot.System.PointerSize;
        foreach (var s in stacks)
        {
            var bytes = new byte[s.Size];
            int n = snapshot.Memory.Read(s.Start, bytes);
            for (int i = 0; i + size <= n; i += size)
            {
                ulong w = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) : BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
                if (w >= 0x10000)
                    words.Add(w);
            }
        }
        return words;
    }
}
