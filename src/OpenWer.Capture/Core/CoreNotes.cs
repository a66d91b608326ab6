using System.Buffers.Binary;
using OpenWer.Format.Streams;

namespace OpenWer.Capture.Core;

/// <summary>
/// The start of an ELF core as the kernel streams it to a core_pattern pipe: the ELF header, the program
/// headers, then the PT_NOTE segment, read from a forward-only stream. An i386 process's core is ELFCLASS32
/// with the 32-bit note layouts. Per thread NT_PRSTATUS (tid and registers) followed by its NT_PRFPREG and
/// NT_X86_XSTATE (on arm64: NT_PRFPREG and NT_ARM_TLS); NT_SIGINFO and NT_AUXV of the process. The
/// kernel writes the dumping (crashing) thread first.
/// The notes are read one at a time and only the bytes used are kept, whatever sizes the core declares: the
/// process chose its thread count and much of what the notes hold, and the handler's memory must stay bounded.
/// </summary>
public sealed class CoreNotes
{
    public const uint NT_PRSTATUS = 1, NT_PRFPREG = 2, NT_AUXV = 6, NT_X86_XSTATE = 0x202, NT_SIGINFO = 0x53494749;
    /// <summary>An i386 task's FXSAVE image (512 bytes) and its GDT TLS entries (struct user_desc, 16 bytes each).</summary>
    public const uint NT_PRXFPREG = 0x46e584eb, NT_386_TLS = 0x200, NT_PRPSINFO = 3, NT_FILE = 0x46494c45;
    /// <summary>The mapped-files note of a process with a million mappings is tens of MiB; a core file's is kept up to this.</summary>
    private const int MaxMappedFiles = 16 << 20, MaxProcessInfo = 512;
    /// <summary>x86_64 struct elf_prstatus: pr_pid at 32, pr_reg (user_regs_struct, 216 bytes) at 112.</summary>
    private const int PrPidOffset = 32, PrRegOffset = 112, UserRegsSize = 216;
    /// <summary>i386 struct elf_prstatus (compat_elf_prstatus): pr_pid at 24, pr_reg (17 u32, 68 bytes) at 72.</summary>
    private const int PrPidOffsetX86 = 24, PrRegOffsetX86 = 72, UserRegsSizeX86 = 68, FSaveSizeX86 = 108, MaxTlsX86 = 16 * 8;
    /// <summary>arm64 struct elf_prstatus: as x86_64's up to pr_reg (user_pt_regs, 272 bytes); user_fpsimd_state's 520 used bytes; TPIDR_EL0.</summary>
    private const int UserRegsSizeArm64 = Kernel.KernelRegisterSets.UserRegsSizeArm64, FpSimdSizeArm64 = Kernel.KernelRegisterSets.FpSimdSizeArm64;
    public const uint NT_ARM_TLS = 0x401;
    /// <summary>Of the XSAVE area: the legacy region and header (576 bytes), then the YMM upper halves (256).</summary>
    public const int XStateKept = 576 + 256;
    /// <summary>Threads whose registers are kept (about 1.6 KiB each); a process with more is dumped with these.</summary>
    public const int MaxThreads = 16384;
    private const int MaxProgramHeaders = 65535, MaxNoteName = 256, MaxAuxv = 64 << 10, MaxSigInfo = 512;
    private const long MaxSkip = 1L << 30;

    public List<CoreThread> Threads { get; } = [];
    public byte[]? SigInfo { get; private set; }
    public byte[] Auxv { get; private set; } = [];
    /// <summary>NT_FILE (the files mapped, with their ranges and offsets), when <c>Read</c> was asked to keep it.</summary>
    public byte[]? MappedFiles { get; private set; }
    /// <summary>NT_PRPSINFO: elf_prpsinfo (pid, the command's name and the start of its arguments).</summary>
    public byte[]? ProcessInfo { get; private set; }
    /// <summary>Threads of the core beyond <see cref="MaxThreads"/>, whose registers were not kept.</summary>
    public int ThreadsDropped { get; private set; }

    /// <summary>The process's architecture, from the core's e_machine: x86_64, arm64, or i386 (ELFCLASS32, whose notes have the 32-bit layouts).</summary>
    public ProcessorArchitecture Architecture { get; private set; }
    /// <summary>An i386 process's core: 32-bit note layouts, 4-byte auxv words and siginfo fields.</summary>
    public bool IsX86 => Architecture == ProcessorArchitecture.Intel;
    /// <summary>The size of a word of the auxv note (Elf32_auxv_t or Elf64_auxv_t).</summary>
    public int AuxvWordSize => IsX86 ? 4 : 8;

    /// <summary>NT_SIGINFO's signal, si_code and si_addr (all 0 when the core has none: gcore of a running process).</summary>
    public Kernel.SignalInfo SignalInfo => Kernel.SignalInfo.Parse(SigInfo ?? [], IsX86);

    /// <summary>Reads the header and notes from the start of <paramref name="core"/>, leaving it just past the notes.</summary>
    /// <param name="keepFiles">Keep NT_FILE and NT_PRPSINFO, which a core file's reader needs and the crash handler (with /proc) does not.</param>
    public static CoreNotes Read(Stream core, bool keepXState, bool keepFiles = false)
    {
        var reader = new ForwardReader(core);
        var header = reader.Read(52);
        if (header[0] != 0x7F || header[1] != 'E' || header[2] != 'L' || header[3] != 'F' || header[4] is not (1 or 2) || BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(16)) != 4)
            throw new CaptureException("stdin is not an ELF core (ET_CORE)");
        bool is64 = header[4] == 2;
        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
        var architecture = (is64, machine) switch
        {
            (true, Elf.ElfImage.EM_X86_64) => ProcessorArchitecture.Amd64,
            (true, Elf.ElfImage.EM_AARCH64) => ProcessorArchitecture.Arm64,
            (false, Elf.ElfImage.EM_386) => ProcessorArchitecture.Intel,
            _ => throw new CaptureException($"the core is an ELF{(is64 ? 64 : 32)} core of machine {machine} (e_machine); only x86_64 (62), arm64 (183) and i386 (3, 32-bit) processes are supported"),
        };
        if (is64)
            header = [.. header, .. reader.Read(12)];
        // Elf64_Ehdr: e_phoff u64 @0x20, e_phentsize @0x36, e_phnum @0x38; Elf32_Ehdr: e_phoff u32 @0x1C, @0x2A, @0x2C.
        long phoff = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x20)) : BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x1C));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(is64 ? 0x36 : 0x2A));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(is64 ? 0x38 : 0x2C));
        if (phnum == 0xFFFF)
            throw new CaptureException("the core has more than 65534 program headers (PN_XNUM), which is not supported");
        if (phentsize < (is64 ? 56 : 32) || phnum > MaxProgramHeaders)
            throw new CaptureException($"the core's program headers are not an ELF{(is64 ? 64 : 32)} core's");
        reader.SkipTo(phoff);
        var phdrs = reader.Read(phentsize * phnum);
        var notes = new CoreNotes { Architecture = architecture };
        for (int i = 0; i < phnum; i++)
        {
            var p = phdrs.AsSpan(i * phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(p) != 4) // PT_NOTE
                continue;
            // Elf64_Phdr: p_offset @8, p_filesz @32; Elf32_Phdr: p_offset @4, p_filesz @16.
            long offset = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(p[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(p[4..]);
            long size = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(p[32..]) : BinaryPrimitives.ReadUInt32LittleEndian(p[16..]);
            if (offset < reader.Position || size < 0 || size > MaxSkip)
                throw new CaptureException("the core's notes are not where a streamed core has them");
            reader.SkipTo(offset);
            notes.Parse(reader, offset + size, keepXState, keepFiles);
            break;
        }
        return notes;
    }

    private void Parse(ForwardReader reader, long end, bool keepXState, bool keepFiles)
    {
        CoreThread? current = null;
        while (reader.Position + 12 <= end)
        {
            var head = reader.Read(12);
            long nameSize = BinaryPrimitives.ReadUInt32LittleEndian(head);
            long descSize = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(8));
            long descStart = reader.Position + ((nameSize + 3) & ~3L);
            long next = descStart + ((descSize + 3) & ~3L);
            if (nameSize > MaxNoteName || next > end)
                break;
            reader.SkipTo(descStart);
            // The process's notes read alike in both kinds of core; the thread notes differ.
            if (type == NT_SIGINFO)
                SigInfo = reader.Read((int)Math.Min(descSize, MaxSigInfo));
            else if (type == NT_AUXV)
                Auxv = reader.Read((int)Math.Min(descSize, MaxAuxv));
            else if (type == NT_FILE && keepFiles)
                MappedFiles = reader.Read((int)Math.Min(descSize, MaxMappedFiles));
            else if (type == NT_PRPSINFO && keepFiles)
                ProcessInfo = reader.Read((int)Math.Min(descSize, MaxProcessInfo));
            else if (Architecture == ProcessorArchitecture.Intel)
                ParseX86(reader, type, descSize, ref current);
            else if (Architecture == ProcessorArchitecture.Arm64)
                ParseArm64(reader, type, descSize, ref current);
            else
                ParseAmd64(reader, type, descSize, keepXState, ref current);
            reader.SkipTo(next);
        }
    }

    /// <summary>A thread from its elf_prstatus, or null (and counted) past <see cref="MaxThreads"/>.</summary>
    private CoreThread? AddThread(byte[] status, int pidOffset, int regOffset, int regSize)
    {
        if (Threads.Count >= MaxThreads)
        {
            ThreadsDropped++;
            return null;
        }
        var thread = new CoreThread(BinaryPrimitives.ReadInt32LittleEndian(status.AsSpan(pidOffset)), status.AsSpan(regOffset, regSize).ToArray());
        Threads.Add(thread);
        return thread;
    }

    /// <summary>The thread notes of an x86_64 core: elf_prstatus, then the thread's FXSAVE (NT_PRFPREG) and XSAVE images.</summary>
    private void ParseAmd64(ForwardReader reader, uint type, long descSize, bool keepXState, ref CoreThread? current)
    {
        switch (type)
        {
            case NT_PRSTATUS when descSize >= PrRegOffset + UserRegsSize:
                var status = reader.Read(PrRegOffset + UserRegsSize);
                current = AddThread(status, PrPidOffset, PrRegOffset, UserRegsSize);
                break;
            case NT_PRFPREG when current is not null && descSize >= 512:
                current.FpRegs = reader.Read(512);
                break;
            case NT_X86_XSTATE when current is not null && keepXState:
                current.XState = reader.Read((int)Math.Min(descSize, XStateKept));
                break;
        }
    }

    /// <summary>The notes of an i386 core: the 32-bit elf_prstatus, the FSAVE (NT_PRFPREG) and FXSAVE (NT_PRXFPREG) images, the TLS entries.</summary>
    private void ParseX86(ForwardReader reader, uint type, long descSize, ref CoreThread? current)
    {
        switch (type)
        {
            case NT_PRSTATUS when descSize >= PrRegOffsetX86 + UserRegsSizeX86:
                var status = reader.Read(PrRegOffsetX86 + UserRegsSizeX86);
                current = AddThread(status, PrPidOffsetX86, PrRegOffsetX86, UserRegsSizeX86);
                if (current is not null)
                    current.FpRegs = new byte[FSaveSizeX86];
                break;
            case NT_PRFPREG when current is not null && descSize >= FSaveSizeX86:
                current.FpRegs = reader.Read(FSaveSizeX86);
                break;
            case NT_PRXFPREG when current is not null && descSize >= 512:
                current.FxRegs = reader.Read(512);
                break;
            // Kernels without an NT_PRXFPREG regset for 32-bit tasks: the XSAVE area starts with the FXSAVE image.
            case NT_X86_XSTATE when current is not null && current.FxRegs is null && descSize >= 512:
                current.FxRegs = reader.Read(512);
                break;
            case NT_386_TLS when current is not null:
                current.Tls = reader.Read((int)Math.Min(descSize, MaxTlsX86));
                break;
        }
    }

    /// <summary>The thread notes of an arm64 core: elf_prstatus (user_pt_regs), then user_fpsimd_state and TPIDR_EL0.</summary>
    private void ParseArm64(ForwardReader reader, uint type, long descSize, ref CoreThread? current)
    {
        switch (type)
        {
            case NT_PRSTATUS when descSize >= PrRegOffset + UserRegsSizeArm64:
                var status = reader.Read(PrRegOffset + UserRegsSizeArm64);
                current = AddThread(status, PrPidOffset, PrRegOffset, UserRegsSizeArm64);
                if (current is not null)
                    current.FpRegs = [];
                break;
            case NT_PRFPREG when current is not null && descSize >= FpSimdSizeArm64:
                current.FpRegs = reader.Read(FpSimdSizeArm64);
                break;
            case NT_ARM_TLS when current is not null && descSize >= 8:
                current.Tls = reader.Read(8);
                break;
        }
    }

    /// <summary>A forward-only stream with its position, skipping in bounded pieces.</summary>
    private sealed class ForwardReader(Stream stream)
    {
        private readonly byte[] _scratch = new byte[64 << 10];

        public long Position { get; private set; }

        public byte[] Read(int count)
        {
            var buffer = new byte[count];
            stream.ReadExactly(buffer);
            Position += count;
            return buffer;
        }

        public void SkipTo(long offset)
        {
            if (offset < Position || offset - Position > MaxSkip)
                throw new CaptureException("the core's layout is not a streamed core's");
            while (Position < offset)
            {
                int n = (int)Math.Min(_scratch.Length, offset - Position);
                stream.ReadExactly(_scratch.AsSpan(0, n));
                Position += n;
            }
        }
    }
}

/// <summary>
/// One thread of a core: its tid, user_regs_struct, FXSAVE image and the start of its XSAVE area; for an i386
/// thread, the 32-bit user_regs_struct, the FSAVE image in <see cref="FpRegs"/>, the FXSAVE image and TLS entries;
/// for an arm64 thread, user_pt_regs, user_fpsimd_state in <see cref="FpRegs"/> (empty when the core has none) and
/// TPIDR_EL0 in <see cref="Tls"/>.
/// </summary>
public sealed class CoreThread(int threadId, byte[] registers)
{
    public int ThreadId { get; } = threadId;
    public byte[] Registers { get; } = registers;
    public byte[] FpRegs { get; set; } = new byte[512];
    public byte[]? XState { get; set; }
    /// <summary>An i386 thread's FXSAVE image (NT_PRXFPREG, else the start of NT_X86_XSTATE); null when the core has neither.</summary>
    public byte[]? FxRegs { get; set; }
    /// <summary>NT_386_TLS: struct user_desc {entry_number, base_addr, limit, flags} per GDT TLS entry; NT_ARM_TLS: TPIDR_EL0.</summary>
    public byte[] Tls { get; set; } = [];
}
