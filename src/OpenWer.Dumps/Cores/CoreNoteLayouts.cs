using System.Buffers.Binary;
using System.Text;
using OpenWer.Snapshot;

namespace OpenWer.Dumps.Cores;

/// <summary>
/// The descriptors of a Linux core's notes, at the offsets the kernel's structs have them (include/linux/elfcore.h
/// and the compat layouts for i386), so gdb, lldb and readelf read them as a kernel core's.
/// </summary>
public static class CoreNoteLayouts
{
    public const uint NT_PRSTATUS = 1, NT_PRFPREG = 2, NT_PRPSINFO = 3, NT_AUXV = 6, NT_PRXFPREG = 0x46e584eb,
        NT_X86_XSTATE = 0x202, NT_SIGINFO = 0x53494749, NT_FILE = 0x46494c45;
    public const int PageSize = 4096;

    /// <summary>
    /// elf_prstatus: pr_info.si_signo @0, pr_cursig (u16) @12, pr_pid @32 (i386: @24), pr_ppid after it, pr_reg
    /// (user_regs_struct) @112 (@72), pr_fpvalid after pr_reg; 336 bytes (144).
    /// </summary>
    public static byte[] PrStatus(CoreClass c, int threadId, int parentId, int signal, byte[] registers)
    {
        int pidAt = c.Is64 ? 32 : 24, regAt = c.Is64 ? 112 : 72, size = c.Is64 ? 336 : 144;
        var d = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(d, signal);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(12), (ushort)signal);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(pidAt), threadId);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(pidAt + 4), parentId);
        registers.CopyTo(d.AsSpan(regAt));
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(regAt + registers.Length), 1);
        return d;
    }

    /// <summary>
    /// elf_prpsinfo: pr_sname @1, pr_pid @24 (i386: @12), pr_ppid after it, pr_fname[16] @40 (@28), pr_psargs[80] @56
    /// (@44, the command line with spaces between the arguments); 136 bytes (124).
    /// </summary>
    public static byte[] PrPsInfo(CoreClass c, int processId, int parentId, string name, ReadOnlySpan<byte> commandLine)
    {
        int pidAt = c.Is64 ? 24 : 12, nameAt = c.Is64 ? 40 : 28, argsAt = c.Is64 ? 56 : 44, size = c.Is64 ? 136 : 124;
        var d = new byte[size];
        d[1] = (byte)'R';
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(pidAt), processId);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(pidAt + 4), parentId);
        var fname = Encoding.UTF8.GetBytes(name);
        fname.AsSpan(0, Math.Min(fname.Length, 15)).CopyTo(d.AsSpan(nameAt));
        var args = commandLine.TrimEnd((byte)0);
        for (int i = 0; i < Math.Min(args.Length, 79); i++)
            d[argsAt + i] = args[i] == 0 ? (byte)' ' : args[i];
        return d;
    }

    /// <summary>siginfo_t (128 bytes): si_signo @0, si_errno @4, si_code @8, si_addr @16 (i386: @12) for the faulting signals.</summary>
    public static byte[] SigInfo(CoreClass c, int signal, int code, ulong address)
    {
        var d = new byte[128];
        BinaryPrimitives.WriteInt32LittleEndian(d, signal);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(8), code);
        c.WriteWord(d.AsSpan(c.Is64 ? 16 : 12), address);
        return d;
    }

    /// <summary>
    /// NT_FILE: count and page size, then {start, end, offset in pages} per file-backed mapping, then their paths,
    /// each with its NUL; words of the core's class. gdb reads the memory a core does not hold from these files.
    /// </summary>
    public static byte[] MappedFiles(CoreClass c, IReadOnlyList<Mapping> files)
    {
        int w = c.WordSize;
        using var d = new MemoryStream();
        var word = new byte[w];
        void Word(ulong v)
        {
            c.WriteWord(word, v);
            d.Write(word);
        }
        Word((ulong)files.Count);
        Word(PageSize);
        foreach (var m in files)
        {
            Word(m.Start);
            Word(m.End);
            Word(m.Offset / PageSize);
        }
        foreach (var m in files)
        {
            d.Write(Encoding.UTF8.GetBytes(m.Path));
            d.WriteByte(0);
        }
        return d.ToArray();
    }

    /// <summary>
    /// An XSAVE area in the standard format holding the x87/SSE state and the upper YMM halves: the FXSAVE image, XCR0
    /// in its software-reserved bytes @464 (where gdb looks for the features a core's threads had), XSTATE_BV @512,
    /// YMM_Hi128 @576; 832 bytes.
    /// </summary>
    public static byte[] XState(ReadOnlySpan<byte> fxsave, ReadOnlySpan<byte> ymmHigh)
    {
        const ulong X87 = 1, Sse = 2, Avx = 4;
        var d = new byte[832];
        fxsave[..512].CopyTo(d);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(464), X87 | Sse | Avx);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(512), X87 | Sse | Avx);
        ymmHigh[..256].CopyTo(d.AsSpan(576));
        return d;
    }
}
