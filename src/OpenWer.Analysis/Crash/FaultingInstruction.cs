using Iced.Intel;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Crash;

/// <summary>
/// The x86_64 instruction at the fault, decoded: whether it writes memory and the address it accesses, computed from
/// the registers. The kernel gives no address for a general protection fault (si_addr 0) and no read/write flag in
/// siginfo; the instruction does.
/// </summary>
public sealed record FaultingInstruction(string Text, bool WritesMemory, ulong? MemoryAddress)
{
    public static FaultingInstruction? Decode(ReadOnlySpan<byte> code, ulong pc, RegisterSet registers)
    {
        if (code.Length == 0)
            return null;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(code.ToArray()), pc);
        decoder.Decode(out var instruction);
        if (instruction.IsInvalid)
            return null;
        var info = new InstructionInfoFactory().GetInfo(instruction);
        bool writes = false;
        ulong? address = null;
        foreach (var used in info.GetUsedMemory())
        {
            writes |= used.Access is OpAccess.Write or OpAccess.ReadWrite or OpAccess.CondWrite or OpAccess.ReadCondWrite;
            if (address is null && used.TryGetVirtualAddress(0, out ulong va, (Register register, int _, int _, out ulong value) => TryRegister(registers, register, out value)))
                address = va;
        }
        var output = new StringOutput();
        new NasmFormatter().Format(instruction, output);
        return new FaultingInstruction(output.ToStringAndReset(), writes, address);
    }

    private static bool TryRegister(RegisterSet registers, Register register, out ulong value)
    {
        value = 0;
        var full = register.GetFullRegister();
        int dwarf = full switch
        {
            Register.RAX => Amd64Architecture.Rax,
            Register.RDX => Amd64Architecture.Rdx,
            Register.RCX => Amd64Architecture.Rcx,
            Register.RBX => Amd64Architecture.Rbx,
            Register.RSI => Amd64Architecture.Rsi,
            Register.RDI => Amd64Architecture.Rdi,
            Register.RBP => Amd64Architecture.Rbp,
            Register.RSP => Amd64Architecture.Rsp,
            Register.RIP => Amd64Architecture.Rip,
            >= Register.R8 and <= Register.R15 => Amd64Architecture.R8 + (full - Register.R8),
            _ => -1,
        };
        // Iced asks for segment bases too: zero in 64-bit mode but for fs and gs, whose bases the context lacks.
        if (register is Register.None or Register.ES or Register.CS or Register.SS or Register.DS)
            return true;
        if (dwarf < 0 || registers[dwarf] is not { } v)
            return false;
        value = register.GetSize() switch { 4 => v & 0xFFFFFFFF, 2 => v & 0xFFFF, 1 => v & 0xFF, _ => v };
        return true;
    }
}
