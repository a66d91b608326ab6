using System.Buffers.Binary;

namespace OpenWer.Capture.Kernel;

/// <summary>
/// The fields of a siginfo_t the dump records: si_signo, si_code, and si_addr for the faulting signals. The same bytes
/// come from PTRACE_GETSIGINFO and a core's NT_SIGINFO; si_addr follows the three ints, at 16 in the 64-bit layout
/// (aligned) and at 12 in the 32-bit one.
/// </summary>
public readonly record struct SignalInfo(int Signal, int Code, ulong Address)
{
    public const int Size = 128;

    /// <summary>Reads what the bytes hold; fields past their end read as 0 (a core may cut the note short).</summary>
    public static SignalInfo Parse(ReadOnlySpan<byte> s, bool is32Bit)
    {
        int signal = s.Length >= 12 ? BinaryPrimitives.ReadInt32LittleEndian(s) : 0;
        int code = s.Length >= 12 ? BinaryPrimitives.ReadInt32LittleEndian(s[8..]) : 0;
        ulong address = is32Bit
            ? s.Length >= 16 ? BinaryPrimitives.ReadUInt32LittleEndian(s[12..]) : 0
            : s.Length >= 24 ? BinaryPrimitives.ReadUInt64LittleEndian(s[16..]) : 0;
        return new SignalInfo(signal, code, address);
    }
}
