using Iced.Intel;
using OpenWer.Format.Contexts;

namespace OpenWer.Analysis.Walking;

/// <summary>x86_64: DWARF numbers from the System V psABI (rax 0, rdx 1, rcx 2, rbx 3, rsi 4, rdi 5, rbp 6, rsp 7, r8-r15 8-15, rip 16).</summary>
public sealed class Amd64Architecture : ICpuArchitecture
{
    public static Amd64Architecture Instance { get; } = new();

    public const int Rax = 0, Rdx = 1, Rcx = 2, Rbx = 3, Rsi = 4, Rdi = 5, Rbp = 6, Rsp = 7, R8 = 8, R12 = 12, R13 = 13, R14 = 14, R15 = 15, Rip = 16;
    private static readonly string[] Names = ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"];

    public string Name => "amd64";
    public int RegisterCount => 17;
    public int PcRegister => Rip;
    public int SpRegister => Rsp;
    public int FpRegister => Rbp;
    public int ReturnAddressColumn => Rip;
    public int PointerSize => 8;
    public IReadOnlyList<int> CalleeSavedRegisters { get; } = [Rbx, Rbp, R12, R13, R14, R15];
    public (int SavedFpOffset, int ReturnAddressOffset, int CallerSpOffset) FramePointerLayout => (0, 8, 16);
    // The longest call encoding: a prefix, opcode, ModRM, SIB and a 32-bit displacement, with REX: 8 bytes; 15 is x86's limit.
    public int MaxCallLength => 15;

    public string? RegisterName(int register) => (uint)register < (uint)Names.Length ? Names[register] : null;

    public RegisterSet FromContext(ContextAmd64 c)
    {
        var r = new RegisterSet(this);
        ulong[] values = [c.Rax, c.Rdx, c.Rcx, c.Rbx, c.Rsi, c.Rdi, c.Rbp, c.Rsp, c.R8, c.R9, c.R10, c.R11, c.R12, c.R13, c.R14, c.R15, c.Rip];
        for (int i = 0; i < values.Length; i++)
            r[i] = values[i];
        return r;
    }

    public bool EndsWithCall(ReadOnlySpan<byte> codeBefore, ulong returnAddress)
    {
        // Decode from every possible start: a call of length n ends at the return address exactly.
        for (int length = 2; length <= Math.Min(codeBefore.Length, MaxCallLength); length++)
        {
            var bytes = codeBefore[^length..].ToArray();
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), returnAddress - (ulong)length);
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid || instruction.Length != length)
                continue;
            // A call, not syscall or int (which Iced also counts as calls): what follows them is no return address.
            if (instruction.Mnemonic == Mnemonic.Call)
                return true;
        }
        return false;
    }
}
