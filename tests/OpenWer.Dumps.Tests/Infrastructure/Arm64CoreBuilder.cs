using System.Buffers.Binary;
using System.Text;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// An ELF core of an arm64 process, made up byte by byte in the layout the kernel writes (ELF64, EM_AARCH64, a
/// PT_NOTE with per-thread NT_PRSTATUS, NT_PRFPREG and NT_ARM_TLS, the process's NT_PRPSINFO, NT_SIGINFO and
/// NT_AUXV, then PT_LOAD segments): this machine cannot run an arm64 process, and lldb reads such a core on any host.
/// </summary>
public sealed class Arm64CoreBuilder
{
    private readonly List<(int Tid, ulong[] Regs, byte[] FpSimd, ulong Tpidr)> _threads = [];
    private readonly List<(ulong Address, byte[] Bytes, uint Flags)> _segments = [];

    /// <summary>A thread: x0-x30, sp, pc, pstate (34 words); V registers, fpsr and fpcr derived from the tid.</summary>
    public Arm64CoreBuilder Thread(int tid, ulong[] regs, uint fpsr, uint fpcr, ulong tpidr)
    {
        if (regs.Length != 34)
            throw new ArgumentException("user_pt_regs is 34 words", nameof(regs));
        var fp = new byte[528];
        for (int i = 0; i < 512; i++)
            fp[i] = (byte)(tid + i);
        BinaryPrimitives.WriteUInt32LittleEndian(fp.AsSpan(512), fpsr);
        BinaryPrimitives.WriteUInt32LittleEndian(fp.AsSpan(516), fpcr);
        _threads.Add((tid, regs, fp, tpidr));
        return this;
    }

    /// <summary>Memory of the process: PF_R 4, PF_W 2, PF_X 1.</summary>
    public Arm64CoreBuilder Memory(ulong address, byte[] bytes, uint flags)
    {
        _segments.Add((address, bytes, flags));
        return this;
    }

    public void WriteTo(string path, int signal, int siCode, ulong faultAddress, string command)
    {
        var notes = new MemoryStream();
        int pid = _threads[0].Tid;
        var psinfo = new byte[136];
        BinaryPrimitives.WriteInt32LittleEndian(psinfo.AsSpan(24), pid);
        Encoding.ASCII.GetBytes(command).AsSpan(0, Math.Min(15, command.Length)).CopyTo(psinfo.AsSpan(40));
        Encoding.ASCII.GetBytes(command).AsSpan(0, Math.Min(79, command.Length)).CopyTo(psinfo.AsSpan(56));
        var siginfo = new byte[128];
        BinaryPrimitives.WriteInt32LittleEndian(siginfo, signal);
        BinaryPrimitives.WriteInt32LittleEndian(siginfo.AsSpan(8), siCode);
        BinaryPrimitives.WriteUInt64LittleEndian(siginfo.AsSpan(16), faultAddress);
        var auxv = new byte[32]; // AT_PAGESZ 4096, AT_NULL
        BinaryPrimitives.WriteUInt64LittleEndian(auxv, 6);
        BinaryPrimitives.WriteUInt64LittleEndian(auxv.AsSpan(8), 4096);
        // As the kernel writes them: the first thread's notes, the process's, then the other threads'.
        for (int i = 0; i < _threads.Count; i++)
        {
            var (tid, regs, fp, tpidr) = _threads[i];
            var status = new byte[392];
            BinaryPrimitives.WriteInt32LittleEndian(status, i == 0 ? signal : 0);
            BinaryPrimitives.WriteInt16LittleEndian(status.AsSpan(12), (short)(i == 0 ? signal : 0));
            BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(32), tid);
            BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(36), 1);
            for (int r = 0; r < 34; r++)
                BinaryPrimitives.WriteUInt64LittleEndian(status.AsSpan(112 + 8 * r), regs[r]);
            BinaryPrimitives.WriteInt32LittleEndian(status.AsSpan(384), 1); // pr_fpvalid
            Note(notes, 1, status);
            if (i == 0)
            {
                Note(notes, 3, psinfo);
                Note(notes, 0x53494749, siginfo, "CORE");
                Note(notes, 6, auxv);
            }
            Note(notes, 2, fp);
            var tls = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(tls, tpidr);
            Note(notes, 0x401, tls, "LINUX");
        }

        int phnum = 1 + _segments.Count;
        long offset = 64 + 56 * phnum;
        using var file = File.Create(path);
        var header = new byte[64];
        "\x7f"u8.CopyTo(header);
        "ELF"u8.CopyTo(header.AsSpan(1));
        header[4] = 2; header[5] = 1; header[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(16), 4);   // ET_CORE
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(18), 183); // EM_AARCH64
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(52), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(54), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(56), (ushort)phnum);
        file.Write(header);
        var noteBytes = notes.ToArray();
        file.Write(ProgramHeader(4, 4, offset, 0, noteBytes.Length, 0, 4));
        long data = (offset + noteBytes.Length + 0xFFF) & ~0xFFFL;
        foreach (var (address, bytes, flags) in _segments)
        {
            file.Write(ProgramHeader(1, flags, data, address, bytes.Length, bytes.Length, 0x1000));
            data += (bytes.Length + 0xFFF) & ~0xFFF;
        }
        file.Write(noteBytes);
        foreach (var (_, bytes, _) in _segments)
        {
            file.Position = (file.Position + 0xFFF) & ~0xFFFL;
            file.Write(bytes);
        }
    }

    private static byte[] ProgramHeader(uint type, uint flags, long offset, ulong address, long fileSize, long memorySize, ulong align)
    {
        var p = new byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(p, type);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(8), (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(16), address);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(32), (ulong)fileSize);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(40), (ulong)memorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(48), align);
        return p;
    }

    /// <summary>An ELF note: namesz, descsz, type, the name (NUL-terminated, padded to 4), the descriptor (padded to 4).</summary>
    private static void Note(MemoryStream notes, uint type, byte[] desc, string name = "CORE")
    {
        var head = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)name.Length + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(4), (uint)desc.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), type);
        notes.Write(head);
        var n = new byte[(name.Length + 1 + 3) & ~3];
        Encoding.ASCII.GetBytes(name).CopyTo(n, 0);
        notes.Write(n);
        notes.Write(desc);
        notes.Write(new byte[((desc.Length + 3) & ~3) - desc.Length]);
    }
}
