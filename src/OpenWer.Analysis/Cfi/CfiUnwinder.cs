using OpenWer.Analysis.Elf;
using OpenWer.Analysis.Modules;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Cfi;

/// <summary>
/// Unwinds by the DWARF call-frame information of .eh_frame in the callee's module file (used only when the file's
/// build-id matches the dump's). The caller's stack pointer is the CFA; its pc is the return-address column.
/// </summary>
public sealed class CfiUnwinder : IUnwinder
{
    private readonly Dictionary<int, EhFrame?> _tables = [];

    public UnwoundCaller? Unwind(StackFrame callee, WalkContext context)
    {
        ulong pc = callee.LookupAddress;
        if (context.Modules.Find(pc) is not { } module)
            return null;
        var image = context.Modules.Image(module);
        if (Table(module, image) is not { } table)
            return null;
        ulong linkPc = pc - image.LoadBias;
        try
        {
            if (table.Find(linkPc) is not { } fde)
                return null;
            var cie = table.Cie(fde.CieOffset);
            var row = CfiProgram.RowAt(table, fde, linkPc);
            return Apply(row, cie, table, callee.Registers, context);
        }
        catch (CfiFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the address is the entry of a signal trampoline (its FDE's CIE has the 'S' augmentation): the kernel
    /// pushes it as the return address of a signal handler, with no call before it.
    /// </summary>
    public bool IsSignalTrampoline(ulong address, WalkContext context)
    {
        if (context.Modules.Find(address) is not { } module)
            return false;
        var image = context.Modules.Image(module);
        if (Table(module, image) is not { } table)
            return false;
        try
        {
            // glibc starts the trampoline's FDE one byte early, so that the return address minus one lies in it.
            return table.Find(address - image.LoadBias - 1) is { } fde && table.Cie(fde.CieOffset).IsSignalFrame;
        }
        catch (CfiFormatException)
        {
            return false;
        }
    }

    private EhFrame? Table(DumpModule module, ModuleImage image)
    {
        if (_tables.TryGetValue(module.Index, out var known))
            return known;
        EhFrame? table = null;
        if (image.File?.FindSection(".eh_frame") is { } section && image.File.ReadSection(section) is { } bytes)
            table = new EhFrame(bytes, section.Address);
        _tables[module.Index] = table;
        return table;
    }

    private static UnwoundCaller? Apply(CfiRow row, CommonInformationEntry cie, EhFrame table, RegisterSet callee, WalkContext context)
    {
        var arch = context.Architecture;
        bool ReadRegister(int r, out ulong v)
        {
            v = callee[r] ?? 0;
            return callee[r] is not null;
        }
        bool ReadMemory(ulong a, out ulong v) => context.TryReadPointer(a, out v);
        ulong? Expression(CfiRule rule, ulong? initial) =>
            DwarfExpression.Evaluate(table.Bytes.Slice(rule.ExpressionStart, rule.ExpressionLength), initial, ReadRegister, ReadMemory);

        ulong? cfa = row.Cfa.Kind switch
        {
            CfiRuleKind.RegisterOffset when callee[row.Cfa.Register] is { } baseValue => baseValue + (ulong)row.Cfa.Offset,
            CfiRuleKind.Expression => Expression(row.Cfa, null),
            _ => null,
        };
        if (cfa is not { } c)
            return null;
        var caller = new RegisterSet(arch);
        for (int r = 0; r < arch.RegisterCount; r++)
        {
            var rule = row[r];
            caller[r] = rule.Kind switch
            {
                CfiRuleKind.Unspecified => arch.CalleeSavedRegisters.Contains(r) ? callee[r] : null,
                CfiRuleKind.SameValue => callee[r],
                CfiRuleKind.Offset => context.TryReadPointer(c + (ulong)rule.Offset, out ulong saved) ? saved : null,
                CfiRuleKind.ValOffset => c + (ulong)rule.Offset,
                CfiRuleKind.Register => callee[rule.Register],
                CfiRuleKind.Expression => Expression(rule, c) is { } at && context.TryReadPointer(at, out ulong value) ? value : null,
                CfiRuleKind.ValExpression => Expression(rule, c),
                _ => null,
            };
        }
        // The return-address column may be a register of its own (arm64: x30) or the pc column (x86_64: 16).
        var ra = row[cie.ReturnAddressColumn];
        ulong? returnAddress = cie.ReturnAddressColumn == arch.PcRegister ? caller[arch.PcRegister] : caller[cie.ReturnAddressColumn];
        if (ra.Kind is CfiRuleKind.Undefined or CfiRuleKind.Unspecified)
            returnAddress = 0;
        if (returnAddress is not { } pc)
            return null;
        caller[arch.PcRegister] = pc;
        caller[arch.SpRegister] = c;
        return new UnwoundCaller(caller, FrameTrust.Cfi, IsExactPc: cie.IsSignalFrame);
    }
}
