using OpenWer.Analysis.Cfi;

namespace OpenWer.Analysis.Lines;

/// <summary>
/// Runs one unit's line program (DWARF 2 to 5, sections 6.2.5): the standard, extended and special opcodes drive
/// the address/file/line/column registers, and each row and each end of sequence is recorded.
/// </summary>
internal static class LineProgram
{
    private const byte Copy = 1, AdvancePc = 2, AdvanceLine = 3, SetFile = 4, SetColumn = 5, NegateStmt = 6,
        SetBasicBlock = 7, ConstAddPc = 8, FixedAdvancePc = 9, SetPrologueEnd = 10, SetEpilogueBegin = 11, SetIsa = 12;
    private const byte EndSequence = 1, SetAddress = 2, DefineFile = 3, SetDiscriminator = 4;

    /// <param name="unit">The section up to the unit's end.</param>
    /// <param name="file">The interned file of a DW_LNS_set_file index (-1: none).</param>
    public static void Run(ReadOnlySpan<byte> unit, LineTableHeader h, List<LineTable.Row> rows, List<LineTable.Sequence> sequences, Func<ulong, int> file)
    {
        var r = new DwarfReader(unit, h.ProgramStart);
        var files = new Dictionary<ulong, int>();
        int File(ulong index)
        {
            if (!files.TryGetValue(index, out int f))
                files[index] = f = file(index);
            return f;
        }
        ulong address = 0, fileIndex = 1;
        uint line = 1, column = 0;
        bool isStmt = h.DefaultIsStmt;
        int sequenceStart = rows.Count;
        while (!r.AtEnd)
        {
            if (rows.Count >= LineTable.MaxRows)
                throw new CfiFormatException($"more than {LineTable.MaxRows} rows");
            byte op = r.U8();
            if (op >= h.OpcodeBase)
            {
                int adjusted = op - h.OpcodeBase;
                address += (ulong)(adjusted / h.LineRange) * h.MinimumInstructionLength;
                line = (uint)(line + h.LineBase + adjusted % h.LineRange);
                rows.Add(new LineTable.Row(address, File(fileIndex), line, column, isStmt));
                continue;
            }
            switch (op)
            {
                case 0:
                    ulong length = r.Uleb();
                    if (length == 0 || length > (ulong)(r.Length - r.Position))
                        throw new CfiFormatException($"extended opcode of {length} bytes");
                    int end = r.Position + (int)length;
                    byte extended = r.U8();
                    if (extended == EndSequence)
                    {
                        if (rows.Count > sequenceStart)
                            sequences.Add(new LineTable.Sequence(rows[sequenceStart].Address, address, sequenceStart, rows.Count - sequenceStart));
                        sequenceStart = rows.Count;
                        address = 0;
                        fileIndex = 1;
                        line = 1;
                        column = 0;
                        isStmt = h.DefaultIsStmt;
                    }
                    else if (extended == SetAddress)
                    {
                        address = (length - 1) switch
                        {
                            8 => r.U64(),
                            4 => r.U32(),
                            _ => throw new CfiFormatException($"DW_LNE_set_address of {length - 1} bytes"),
                        };
                    }
                    // DW_LNE_define_file (before version 5) and DW_LNE_set_discriminator change nothing a lookup gives;
                    // vendor opcodes are skipped by their length.
                    else if (extended is not (DefineFile or SetDiscriminator) && extended < 0x80)
                    {
                        throw new CfiFormatException($"extended opcode {extended}");
                    }
                    r.Position = end;
                    break;
                case Copy:
                    rows.Add(new LineTable.Row(address, File(fileIndex), line, column, isStmt));
                    break;
                case AdvancePc:
                    address += r.Uleb() * h.MinimumInstructionLength;
                    break;
                case AdvanceLine:
                    line = (uint)(line + r.Sleb());
                    break;
                case SetFile:
                    fileIndex = r.Uleb();
                    break;
                case SetColumn:
                    column = (uint)r.Uleb();
                    break;
                case NegateStmt:
                    isStmt = !isStmt;
                    break;
                case SetBasicBlock or SetPrologueEnd or SetEpilogueBegin:
                    break;
                case ConstAddPc:
                    address += (ulong)((255 - h.OpcodeBase) / h.LineRange) * h.MinimumInstructionLength;
                    break;
                case FixedAdvancePc:
                    address += r.U16();
                    break;
                case SetIsa:
                    r.Uleb();
                    break;
                default:
                    // An opcode this reader does not know: the header says how many LEB128 operands to skip.
                    for (int i = 0; i < h.StandardOpcodeLengths[op - 1]; i++)
                        r.Uleb();
                    break;
            }
        }
    }
}
