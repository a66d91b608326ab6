using OpenWer.Analysis.Memory;
using OpenWer.Analysis.Modules;

namespace OpenWer.Analysis.Walking;

/// <summary>What a walk reads: the dump's memory, its modules (with their files on this machine), the map and the CPU.</summary>
public sealed class WalkContext(DumpMemory memory, ModuleSet modules, MemoryMap map, ICpuArchitecture architecture, WalkLimits limits)
{
    public DumpMemory Memory { get; } = memory;
    public ModuleSet Modules { get; } = modules;
    public MemoryMap Map { get; } = map;
    public ICpuArchitecture Architecture { get; } = architecture;
    public WalkLimits Limits { get; } = limits;

    public bool TryReadPointer(ulong address, out ulong value) => Memory.TryReadUInt64(address, out value);

    /// <summary>Whether the address lies in executable code of a module: by the module's file, else by the map.</summary>
    public bool IsExecutableCode(ulong address)
    {
        if (Modules.Find(address) is not { } module)
            return false;
        if (Modules.Image(module).IsExecutable(address) is { } byFile)
            return byFile;
        return Map.Find(address) is { Execute: true };
    }

    /// <summary>
    /// Whether a value can be a return address: it points into a module's executable code just after a call
    /// instruction. The code is read from the dump where it holds it, else from the module's matching file.
    /// </summary>
    public bool IsReturnAddress(ulong address)
    {
        if (address < 16 || !IsExecutableCode(address))
            return false;
        int length = Architecture.MaxCallLength;
        Span<byte> code = stackalloc byte[length];
        ulong start = address - (ulong)length;
        int got = Memory.Read(start, code);
        if (got != length && Modules.Find(address) is { } module)
            got = Modules.Image(module).ReadCode(start, code);
        return got == length && Architecture.EndsWithCall(code, address);
    }
}
