using System.Buffers.Binary;
using OpenWer.Format.Streams;

namespace OpenWer.Dumps.Cores;

/// <summary>
/// The ELF class and machine of a core, chosen by the process's architecture: ELFCLASS64/EM_X86_64 for an x86_64
/// process, ELFCLASS32/EM_386 (and the 32-bit note layouts) for an i386 one, as the kernel writes them.
/// </summary>
public readonly record struct CoreClass(bool Is64, ushort Machine)
{
    public const ushort EM_386 = 3, EM_X86_64 = 62;

    public int WordSize => Is64 ? 8 : 4;
    public int HeaderSize => Is64 ? 64 : 52;
    public int ProgramHeaderSize => Is64 ? 56 : 32;

    public static CoreClass For(ProcessorArchitecture architecture) => architecture switch
    {
        ProcessorArchitecture.Amd64 => new(true, EM_X86_64),
        ProcessorArchitecture.Intel => new(false, EM_386),
        var other => throw new ArgumentException($"a core of an {other} process is not written (x86_64 and i386 are)"),
    };

    public void WriteWord(Span<byte> destination, ulong value)
    {
        if (Is64)
            BinaryPrimitives.WriteUInt64LittleEndian(destination, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(destination, checked((uint)value));
    }
}
