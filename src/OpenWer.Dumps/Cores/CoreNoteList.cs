using System.Buffers.Binary;
using System.Text;

namespace OpenWer.Dumps.Cores;

/// <summary>
/// The PT_NOTE segment of a core being written: Elf_Nhdr {namesz, descsz, type} (the same 12 bytes in both ELF
/// classes), the name with its NUL, the descriptor, each padded to 4 bytes as a core's notes are.
/// </summary>
public sealed class CoreNoteList
{
    /// <summary>The owner of the classic notes (NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE, NT_SIGINFO, NT_PRFPREG) and of Linux's own regsets.</summary>
    public const string Core = "CORE", Linux = "LINUX";
    private readonly MemoryStream _bytes = new();

    public long Length => _bytes.Length;

    public void Add(string name, uint type, ReadOnlySpan<byte> descriptor)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)nameBytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)descriptor.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], type);
        _bytes.Write(header);
        _bytes.Write(nameBytes);
        Pad();
        _bytes.Write(descriptor);
        Pad();
    }

    public void WriteTo(Stream output) => _bytes.WriteTo(output);

    private void Pad()
    {
        while (_bytes.Length % 4 != 0)
            _bytes.WriteByte(0);
    }
}
