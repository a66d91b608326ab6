namespace OpenWer.Analysis.Cfi;

/// <summary>
/// Runs a CIE's initial instructions and an FDE's instructions (DWARF 5, 6.4.2) up to a code address, giving the row
/// in force there. Bounded: at most <see cref="MaxInstructions"/> instructions and <see cref="MaxStates"/> remembered rows.
/// </summary>
public static class CfiProgram
{
    public const int MaxInstructions = 100_000, MaxStates = 64;

    public static CfiRow RowAt(EhFrame frame, FrameDescriptionEntry fde, ulong address)
    {
        var cie = frame.Cie(fde.CieOffset);
        var initial = new CfiRow();
        ulong location = fde.PcBegin;
        Run(frame, cie, cie.InstructionsStart, cie.InstructionsEnd, initial, null, ref location, ulong.MaxValue);
        var row = initial.Clone();
        location = fde.PcBegin;
        Run(frame, cie, fde.InstructionsStart, fde.InstructionsEnd, row, initial, ref location, address);
        return row;
    }

    private static void Run(EhFrame frame, CommonInformationEntry cie, int start, int end, CfiRow row, CfiRow? initial, ref ulong location, ulong target)
    {
        var r = new DwarfReader(frame.Bytes[..end], start);
        var states = new Stack<CfiRow>();
        int executed = 0;
        while (!r.AtEnd)
        {
            if (++executed > MaxInstructions)
                throw new CfiFormatException("CFI program too long");
            byte op = r.U8();
            int high = op & 0xC0, low = op & 0x3F;
            ulong advance = 0;
            switch (high)
            {
                case 0x40: advance = (ulong)low * cie.CodeAlignment; break;
                case 0x80: row[low] = new CfiRule(CfiRuleKind.Offset, (long)r.Uleb() * cie.DataAlignment); continue;
                case 0xC0: row[low] = initial?[low] ?? default; continue;
                default:
                    switch (op)
                    {
                        case 0x00: continue;
                        case 0x01: location = r.Pointer(cie.PointerEncoding, frame.SectionAddress); if (location > target) return; continue;
                        case 0x02: advance = r.U8() * cie.CodeAlignment; break;
                        case 0x03: advance = r.U16() * cie.CodeAlignment; break;
                        case 0x04: advance = r.U32() * cie.CodeAlignment; break;
                        case 0x05: row[Reg(ref r)] = new CfiRule(CfiRuleKind.Offset, (long)r.Uleb() * cie.DataAlignment); continue;
                        case 0x06: { int reg = Reg(ref r); row[reg] = initial?[reg] ?? default; continue; }
                        case 0x07: row[Reg(ref r)] = new CfiRule(CfiRuleKind.Undefined); continue;
                        case 0x08: row[Reg(ref r)] = new CfiRule(CfiRuleKind.SameValue); continue;
                        case 0x09: { int reg = Reg(ref r); row[reg] = new CfiRule(CfiRuleKind.Register, Register: Reg(ref r)); continue; }
                        case 0x0A:
                            if (states.Count >= MaxStates) throw new CfiFormatException("too many remembered CFI states");
                            states.Push(row.Clone()); continue;
                        case 0x0B:
                            if (states.Count > 0) { var saved = states.Pop(); Copy(saved, row); row.Cfa = saved.Cfa; }
                            continue;
                        case 0x0C: { int reg = Reg(ref r); row.Cfa = new CfiRule(CfiRuleKind.RegisterOffset, (long)r.Uleb(), reg); continue; }
                        case 0x0D: row.Cfa = row.Cfa with { Kind = CfiRuleKind.RegisterOffset, Register = Reg(ref r) }; continue;
                        case 0x0E: row.Cfa = row.Cfa with { Kind = CfiRuleKind.RegisterOffset, Offset = (long)r.Uleb() }; continue;
                        case 0x0F: { var (s, n) = Block(ref r); row.Cfa = new CfiRule(CfiRuleKind.Expression, ExpressionStart: s, ExpressionLength: n); continue; }
                        case 0x10: { int reg = Reg(ref r); var (s, n) = Block(ref r); row[reg] = new CfiRule(CfiRuleKind.Expression, ExpressionStart: s, ExpressionLength: n); continue; }
                        case 0x11: row[Reg(ref r)] = new CfiRule(CfiRuleKind.Offset, r.Sleb() * cie.DataAlignment); continue;
                        case 0x12: { int reg = Reg(ref r); row.Cfa = new CfiRule(CfiRuleKind.RegisterOffset, r.Sleb() * cie.DataAlignment, reg); continue; }
                        case 0x13: row.Cfa = row.Cfa with { Kind = CfiRuleKind.RegisterOffset, Offset = r.Sleb() * cie.DataAlignment }; continue;
                        case 0x14: row[Reg(ref r)] = new CfiRule(CfiRuleKind.ValOffset, (long)r.Uleb() * cie.DataAlignment); continue;
                        case 0x15: row[Reg(ref r)] = new CfiRule(CfiRuleKind.ValOffset, r.Sleb() * cie.DataAlignment); continue;
                        case 0x16: { int reg = Reg(ref r); var (s, n) = Block(ref r); row[reg] = new CfiRule(CfiRuleKind.ValExpression, ExpressionStart: s, ExpressionLength: n); continue; }
                        case 0x2E: r.Uleb(); continue;
                        case 0x2F: row[Reg(ref r)] = new CfiRule(CfiRuleKind.Offset, -(long)r.Uleb() * cie.DataAlignment); continue;
                        default: throw new CfiFormatException($"unknown CFA instruction 0x{op:x2}");
                    }
                    break;
            }
            if (location + advance > target)
                return;
            location += advance;
        }
    }

    private static int Reg(ref DwarfReader r)
    {
        ulong reg = r.Uleb();
        return reg < CfiRow.MaxColumns ? (int)reg : throw new CfiFormatException($"register {reg} out of range");
    }

    private static (int Start, int Length) Block(ref DwarfReader r)
    {
        ulong n = r.Uleb();
        int start = r.Position;
        if (n > (ulong)(r.Length - start))
            throw new CfiFormatException("expression runs past the entry");
        r.Position += (int)n;
        return (start, (int)n);
    }

    private static void Copy(CfiRow from, CfiRow to)
    {
        for (int i = 0; i < CfiRow.MaxColumns; i++)
            to[i] = from[i];
    }
}
