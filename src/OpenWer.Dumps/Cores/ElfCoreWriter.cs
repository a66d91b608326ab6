using System.Buffers.Binary;
using System.Text;
using OpenWer.Capture.Kernel;
using OpenWer.Dumps.Output;
using OpenWer.Snapshot;

namespace OpenWer.Dumps.Cores;

/// <summary>What was written: the file, its size, and what it holds.</summary>
public sealed record CoreWriteResult(string Path, long Size, int ThreadCount, int LoadCount, ulong HeldBytes, int MappedFileCount, bool LinkMapRewritten);

/// <summary>
/// An ELF core file of a snapshot, as the kernel writes one, for gdb: the ELF header (ET_CORE), a PT_NOTE with
/// NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV and NT_FILE, then each thread's floating-point state (the crashing
/// thread first: gdb selects the first), and PT_LOAD segments for the mappings (<see cref="CoreSegmentPlan"/>).
/// Written under a temporary name and renamed into place when complete.
/// </summary>
public static class ElfCoreWriter
{
    private const int Align = 4096, CopyChunk = 1 << 20;
    private const uint PT_LOAD = 1, PT_NOTE = 4, PF_X = 1, PF_W = 2, PF_R = 4;

    /// <param name="held">The memory the snapshot's source holds (for a minidump, its memory lists), in any order.</param>
    public static CoreWriteResult WriteFile(ProcessSnapshot snapshot, IEnumerable<(ulong Start, ulong End)> held, string path, bool overwrite)
    {
        var c = CoreClass.For(snapshot.System.Architecture);
        if (snapshot.Threads.Count == 0)
            throw new ArgumentException("the dump holds no thread; a core needs one");
        var overlays = CoreLinkMap.For(snapshot, c);
        var content = CoreSegmentPlan.Merge(held.Concat(overlays.Select(o => (o.Address, o.End))));
        var loads = CoreSegmentPlan.For(snapshot.Mappings, content);
        if (loads.Count + 1 >= 0xFFFF)
            throw new ArgumentException($"the core would have {loads.Count + 1} program headers, more than ELF's 65534 without extended numbering");
        var files = snapshot.Mappings.Where(m => m.IsFileBacked).OrderBy(m => m.Start).ToList();
        var notes = Notes(snapshot, c, files);
        AtomicDumpFile.CheckWritable(path, overwrite);
        long size = AtomicDumpFile.Write(path, overwrite, stream => Write(stream, snapshot, c, notes, loads, overlays));
        return new CoreWriteResult(Path.GetFullPath(path), size, snapshot.Threads.Count, loads.Count,
            (ulong)loads.Where(l => l.Held).Sum(l => (decimal)l.Size), files.Count, overlays.Count > 0);
    }

    /// <summary>The threads in the order of the core: the one the exception names first, as the kernel writes the dumping thread.</summary>
    public static List<ThreadSnapshot> ThreadOrder(ProcessSnapshot snapshot)
    {
        int? first = snapshot.Exception?.ThreadId;
        return [.. snapshot.Threads.Where(t => t.ThreadId == first), .. snapshot.Threads.Where(t => t.ThreadId != first)];
    }

    private static CoreNoteList Notes(ProcessSnapshot snapshot, CoreClass c, IReadOnlyList<Mapping> files)
    {
        var e = snapshot.Exception;
        int signal = e is { Code: > 0 and < 128 } ? (int)e.Code : 0;
        int parent = StatusField(snapshot.Files.Status, "PPid");
        var notes = new CoreNoteList();
        bool first = true;
        foreach (var t in ThreadOrder(snapshot))
        {
            notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_PRSTATUS, CoreNoteLayouts.PrStatus(c, t.ThreadId, parent, signal, Registers(t)));
            if (first)
            {
                // The process's notes follow the first thread's status, where the kernel writes them.
                string name = StatusText(snapshot.Files.Status, "Name") ?? Path.GetFileName(snapshot.ExecutablePath);
                notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_PRPSINFO, CoreNoteLayouts.PrPsInfo(c, snapshot.ProcessId, parent, name, snapshot.Files.CommandLine));
                if (signal != 0)
                    notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_SIGINFO, CoreNoteLayouts.SigInfo(c, signal, (int)e!.Flags, e.Address));
                if (snapshot.Files.Auxv.Length > 0)
                    notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_AUXV, snapshot.Files.Auxv);
                if (files.Count > 0)
                    notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_FILE, CoreNoteLayouts.MappedFiles(c, files));
                first = false;
            }
            switch (t.Context)
            {
                case Amd64Context a:
                    notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_PRFPREG, a.Registers.FltSave.AsSpan(0, 512));
                    if (a.Registers.YmmHigh is { } ymm)
                        notes.Add(CoreNoteList.Linux, CoreNoteLayouts.NT_X86_XSTATE, CoreNoteLayouts.XState(a.Registers.FltSave, ymm));
                    break;
                case X86Context x:
                    notes.Add(CoreNoteList.Core, CoreNoteLayouts.NT_PRFPREG, x.Registers.FloatSave.AsSpan(0, Format.Contexts.ContextX86.FSaveImageSize));
                    notes.Add(CoreNoteList.Linux, CoreNoteLayouts.NT_PRXFPREG, x.Registers.ExtendedRegisters.AsSpan(0, 512));
                    break;
            }
        }
        return notes;
    }

    /// <summary>user_regs_struct from the CONTEXT; on x86_64 fs_base is the thread pointer the dump keeps as the thread's Teb.</summary>
    private static byte[] Registers(ThreadSnapshot t) => t.Context switch
    {
        Amd64Context a => KernelRegisterSets.UserRegsAmd64(a.Registers, t.ThreadPointer),
        X86Context x => KernelRegisterSets.UserRegsX86(x.Registers),
        var other => throw new ArgumentException($"thread {t.ThreadId}'s registers are {other.Architecture}; a core is written for x86_64 and i386"),
    };

    private static long Write(Stream output, ProcessSnapshot snapshot, CoreClass c, CoreNoteList notes, List<CoreLoad> loads, List<CoreOverlay> overlays)
    {
        int count = loads.Count + 1;
        long notesAt = c.HeaderSize + (long)count * c.ProgramHeaderSize;
        // Each segment's bytes at an offset congruent to its address modulo the page, as ELF asks of PT_LOAD.
        var offsets = new long[loads.Count];
        long at = (notesAt + notes.Length + Align - 1) & ~(long)(Align - 1);
        for (int i = 0; i < loads.Count; i++)
        {
            if (!loads[i].Held)
                continue;
            long misalign = (long)(loads[i].Start % Align);
            at = ((at + Align - 1) & ~(long)(Align - 1)) + misalign;
            offsets[i] = at;
            at += (long)loads[i].Size;
        }
        var head = new byte[notesAt];
        WriteHeader(head, c, count);
        ProgramHeader(head.AsSpan(c.HeaderSize), c, PT_NOTE, 0, notesAt, 0, (ulong)notes.Length, 0, 4);
        for (int i = 0; i < loads.Count; i++)
        {
            var l = loads[i];
            uint flags = (l.Read ? PF_R : 0) | (l.Write ? PF_W : 0) | (l.Execute ? PF_X : 0);
            ProgramHeader(head.AsSpan(c.HeaderSize + (i + 1) * c.ProgramHeaderSize), c, PT_LOAD, flags, l.Held ? offsets[i] : 0, l.Start,
                l.Held ? l.Size : 0, l.Size, Align);
        }
        var buffered = new BufferedStream(output, 1 << 16);
        buffered.Write(head);
        notes.WriteTo(buffered);
        long position = notesAt + notes.Length;
        var chunk = new byte[CopyChunk];
        for (int i = 0; i < loads.Count; i++)
        {
            if (!loads[i].Held)
                continue;
            Zeros(buffered, offsets[i] - position, chunk);
            for (ulong address = loads[i].Start; address < loads[i].End;)
            {
                int n = (int)Math.Min((ulong)CopyChunk, loads[i].End - address);
                var span = chunk.AsSpan(0, n);
                int got = snapshot.Memory.Read(address, span);
                span[Math.Max(got, 0)..].Clear();
                foreach (var o in overlays)
                    Overlay(span, address, o);
                buffered.Write(span);
                address += (ulong)n;
            }
            position = offsets[i] + (long)loads[i].Size;
        }
        buffered.Flush();
        return position;
    }

    private static void Overlay(Span<byte> span, ulong address, CoreOverlay o)
    {
        ulong end = address + (ulong)span.Length;
        if (o.End <= address || o.Address >= end)
            return;
        ulong from = Math.Max(address, o.Address), to = Math.Min(end, o.End);
        o.Bytes.AsSpan((int)(from - o.Address), (int)(to - from)).CopyTo(span[(int)(from - address)..]);
    }

    private static void Zeros(Stream output, long count, byte[] scratch)
    {
        Array.Clear(scratch);
        for (; count > 0; count -= Math.Min(count, scratch.Length))
            output.Write(scratch, 0, (int)Math.Min(count, scratch.Length));
    }

    /// <summary>Elf64_Ehdr / Elf32_Ehdr of a little-endian Linux core with its program headers right after it and no sections.</summary>
    private static void WriteHeader(Span<byte> h, CoreClass c, int programHeaders)
    {
        h[0] = 0x7F; h[1] = (byte)'E'; h[2] = (byte)'L'; h[3] = (byte)'F';
        h[4] = (byte)(c.Is64 ? 2 : 1); // EI_CLASS
        h[5] = 1; // ELFDATA2LSB
        h[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(h[16..], 4); // ET_CORE
        BinaryPrimitives.WriteUInt16LittleEndian(h[18..], c.Machine);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        // e_entry, e_phoff, e_shoff are words; then e_flags, e_ehsize, e_phentsize, e_phnum, e_shentsize.
        int w = c.WordSize;
        c.WriteWord(h[(24 + w)..], (ulong)c.HeaderSize);
        int rest = 24 + 3 * w + 4;
        BinaryPrimitives.WriteUInt16LittleEndian(h[rest..], (ushort)c.HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[(rest + 2)..], (ushort)c.ProgramHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[(rest + 4)..], (ushort)programHeaders);
        BinaryPrimitives.WriteUInt16LittleEndian(h[(rest + 6)..], (ushort)(c.Is64 ? 64 : 40));
    }

    /// <summary>Elf64_Phdr {type, flags, offset, vaddr, paddr, filesz, memsz, align}; Elf32_Phdr has flags after memsz.</summary>
    private static void ProgramHeader(Span<byte> p, CoreClass c, uint type, uint flags, long offset, ulong address, ulong fileSize, ulong memorySize, ulong align)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(p, type);
        if (c.Is64)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], flags);
            BinaryPrimitives.WriteUInt64LittleEndian(p[8..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(p[16..], address);
            BinaryPrimitives.WriteUInt64LittleEndian(p[32..], fileSize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[40..], memorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[48..], align);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], checked((uint)offset));
            BinaryPrimitives.WriteUInt32LittleEndian(p[8..], checked((uint)address));
            BinaryPrimitives.WriteUInt32LittleEndian(p[16..], checked((uint)fileSize));
            BinaryPrimitives.WriteUInt32LittleEndian(p[20..], checked((uint)memorySize));
            BinaryPrimitives.WriteUInt32LittleEndian(p[24..], flags);
            BinaryPrimitives.WriteUInt32LittleEndian(p[28..], (uint)align);
        }
    }

    private static string? StatusText(byte[] status, string field)
    {
        foreach (var line in Encoding.UTF8.GetString(status).Split('\n'))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return line[(field.Length + 1)..].Trim();
        return null;
    }

    private static int StatusField(byte[] status, string field) =>
        int.TryParse(StatusText(status, field), System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : 0;
}
