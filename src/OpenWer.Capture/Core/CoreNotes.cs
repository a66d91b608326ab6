using System.Buffers.Binary;

namespace OpenWer.Capture.Core;

/// <summary>
/// The start of an ELF core as the kernel streams it to a core_pattern pipe: the ELF header, the program
/// headers, then the PT_NOTE segment, read from a forward-only stream. Per thread NT_PRSTATUS (tid and
/// registers) followed by its NT_PRFPREG and NT_X86_XSTATE; NT_SIGINFO and NT_AUXV of the process. The
/// kernel writes the dumping (crashing) thread first. Everything read is kept, to pass the core on intact.
/// </summary>
public sealed class CoreNotes
{
    public const uint NT_PRSTATUS = 1, NT_PRFPREG = 2, NT_AUXV = 6, NT_X86_XSTATE = 0x202, NT_SIGINFO = 0x53494749;
    private const int MaxNotes = 64 << 20;
    /// <summary>x86_64 struct elf_prstatus: pr_pid at 32, pr_reg (user_regs_struct, 216 bytes) at 112.</summary>
    private const int PrPidOffset = 32, PrRegOffset = 112, UserRegsSize = 216;

    public List<CoreThread> Threads { get; } = [];
    public byte[]? SigInfo { get; private set; }
    public byte[] Auxv { get; private set; } = [];

    public int Signal => SigInfo is { Length: >= 12 } s ? BinaryPrimitives.ReadInt32LittleEndian(s) : 0;
    public int SignalCode => SigInfo is { Length: >= 12 } s ? BinaryPrimitives.ReadInt32LittleEndian(s.AsSpan(8)) : 0;
    public ulong SignalAddress => SigInfo is { Length: >= 24 } s ? BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(16)) : 0;

    /// <summary>Reads the header and notes; every byte taken from <paramref name="core"/> is also written to <paramref name="consumed"/>.</summary>
    public static CoreNotes Read(Stream core, MemoryStream consumed)
    {
        var header = ReadExactly(core, 64, consumed);
        if (header[0] != 0x7F || header[1] != 'E' || header[2] != 'L' || header[3] != 'F' || header[4] != 2 || BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(16)) != 4)
            throw new CaptureException("stdin is not a 64-bit ELF core (ET_CORE)");
        long phoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x20));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x36));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x38));
        if (phnum == 0xFFFF)
            throw new CaptureException("the core has more than 65534 program headers (PN_XNUM), which is not supported");
        Skip(core, phoff - 64, consumed);
        var phdrs = ReadExactly(core, phentsize * phnum, consumed);
        long position = phoff + phentsize * phnum;
        var notes = new CoreNotes();
        for (int i = 0; i < phnum; i++)
        {
            var p = phdrs.AsSpan(i * phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(p) != 4) // PT_NOTE
                continue;
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(p[8..]);
            long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(p[32..]);
            if (offset < position || size > MaxNotes)
                throw new CaptureException("the core's notes are not where a streamed core has them");
            Skip(core, offset - position, consumed);
            notes.Parse(ReadExactly(core, (int)size, consumed));
            position = offset + size;
            break;
        }
        return notes;
    }

    private void Parse(byte[] bytes)
    {
        int at = 0;
        CoreThread? current = null;
        while (at + 12 <= bytes.Length)
        {
            int nameSize = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            int descSize = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8));
            int desc = at + 12 + ((nameSize + 3) & ~3);
            int next = desc + ((descSize + 3) & ~3);
            if (nameSize < 0 || descSize < 0 || next > bytes.Length)
                break;
            var d = bytes.AsSpan(desc, descSize);
            switch (type)
            {
                case NT_PRSTATUS when descSize >= PrRegOffset + UserRegsSize:
                    current = new CoreThread(BinaryPrimitives.ReadInt32LittleEndian(d[PrPidOffset..]), d.Slice(PrRegOffset, UserRegsSize).ToArray());
                    Threads.Add(current);
                    break;
                case NT_PRFPREG when current is not null && descSize >= 512:
                    current.FpRegs = d[..512].ToArray();
                    break;
                case NT_X86_XSTATE when current is not null:
                    current.XState = d.ToArray();
                    break;
                case NT_SIGINFO:
                    SigInfo = d.ToArray();
                    break;
                case NT_AUXV:
                    Auxv = d.ToArray();
                    break;
            }
            at = next;
        }
    }

    private static byte[] ReadExactly(Stream s, int count, MemoryStream consumed)
    {
        var buffer = new byte[count];
        s.ReadExactly(buffer);
        consumed.Write(buffer);
        return buffer;
    }

    private static void Skip(Stream s, long count, MemoryStream consumed)
    {
        if (count < 0 || count > MaxNotes)
            throw new CaptureException("the core's layout is not a streamed core's");
        ReadExactly(s, (int)count, consumed);
    }
}

/// <summary>One thread of a core: its tid, user_regs_struct, FXSAVE image and XSAVE area.</summary>
public sealed class CoreThread(int threadId, byte[] registers)
{
    public int ThreadId { get; } = threadId;
    public byte[] Registers { get; } = registers;
    public byte[] FpRegs { get; set; } = new byte[512];
    public byte[]? XState { get; set; }
}
