using OpenWer.Analysis.Cfi;

namespace OpenWer.Analysis.Lines;

/// <summary>
/// The header of one unit of .debug_line (DWARF 2 to 5): the parameters of its line program and its file names,
/// each joined with its directory. Version 5 describes its directory and file entries by (content, form) pairs; the
/// strings may live in .debug_line_str or .debug_str. Anything not as the standard says throws <see cref="CfiFormatException"/>.
/// </summary>
internal sealed class LineTableHeader
{
    private const int DwLnctPath = 1, DwLnctDirectoryIndex = 2;
    private const int MaxEntries = 1 << 16;

    public required int Version { get; init; }
    public required bool Is64Bit { get; init; }
    public required int AddressSize { get; init; }
    public required byte MinimumInstructionLength { get; init; }
    public required bool DefaultIsStmt { get; init; }
    public required sbyte LineBase { get; init; }
    public required byte LineRange { get; init; }
    public required byte OpcodeBase { get; init; }
    public required byte[] StandardOpcodeLengths { get; init; }
    /// <summary>The files, indexed as the program's DW_LNS_set_file counts them (from 1 before version 5, from 0 in it).</summary>
    public required List<string> Files { get; init; }
    /// <summary>Where the line program starts and the unit ends, in the section.</summary>
    public required int ProgramStart { get; init; }
    public required int UnitEnd { get; init; }

    /// <summary>The file an index names, or null when the table has no such file.</summary>
    public string? File(ulong index)
    {
        ulong at = Version >= 5 ? index : index - 1;
        return at < (ulong)Files.Count ? Files[(int)at] : null;
    }

    public static LineTableHeader Read(ReadOnlySpan<byte> section, int offset, ReadOnlySpan<byte> lineStrings, ReadOnlySpan<byte> strings)
    {
        var r = new DwarfReader(section, offset);
        ulong length = r.U32();
        bool is64 = false;
        if (length == 0xFFFF_FFFF)
        {
            is64 = true;
            length = r.U64();
        }
        else if (length >= 0xFFFF_FFF0)
        {
            throw new CfiFormatException($"reserved unit length 0x{length:x}");
        }
        if (length > (ulong)(section.Length - r.Position))
            throw new CfiFormatException($"a line table unit of {length} bytes passes the section's end");
        int unitEnd = r.Position + (int)length;
        var unit = new DwarfReader(section[..unitEnd], r.Position);
        int version = unit.U16();
        if (version is < 2 or > 5)
            throw new CfiFormatException($"line table version {version}");
        int addressSize = 8;
        if (version >= 5)
        {
            addressSize = unit.U8();
            unit.U8(); // segment selector size
        }
        ulong headerLength = is64 ? unit.U64() : unit.U32();
        if (headerLength > (ulong)(unitEnd - unit.Position))
            throw new CfiFormatException("the line table header passes the unit's end");
        int programStart = unit.Position + (int)headerLength;
        var h = new DwarfReader(section[..programStart], unit.Position);
        byte minimumLength = h.U8();
        if (version >= 4)
            h.U8(); // maximum operations per instruction: 1 on every architecture but VLIW ones
        bool defaultIsStmt = h.U8() != 0;
        sbyte lineBase = (sbyte)h.U8();
        byte lineRange = h.U8(), opcodeBase = h.U8();
        if (lineRange == 0 || opcodeBase == 0)
            throw new CfiFormatException("line range or opcode base 0");
        var lengths = new byte[opcodeBase - 1];
        for (int i = 0; i < lengths.Length; i++)
            lengths[i] = h.U8();
        var files = new List<string>();
        if (version >= 5)
        {
            var directories = ReadEntries(ref h, is64, lineStrings, strings, directories: null);
            files = ReadEntries(ref h, is64, lineStrings, strings, directories);
        }
        else
        {
            var directories = new List<string>();
            for (string d; (d = h.CString()).Length > 0;)
                directories.Add(d);
            for (string name; (name = h.CString()).Length > 0;)
            {
                ulong directory = h.Uleb();
                h.Uleb(); // modification time
                h.Uleb(); // length
                // Directory 0 is the compilation's own, which the unit's header does not name.
                files.Add(Join(directory >= 1 && directory <= (ulong)directories.Count ? directories[(int)directory - 1] : null, name));
                if (files.Count > MaxEntries)
                    throw new CfiFormatException("too many file names");
            }
        }
        return new LineTableHeader
        {
            Version = version,
            Is64Bit = is64,
            AddressSize = addressSize,
            MinimumInstructionLength = minimumLength,
            DefaultIsStmt = defaultIsStmt,
            LineBase = lineBase,
            LineRange = lineRange,
            OpcodeBase = opcodeBase,
            StandardOpcodeLengths = lengths,
            Files = files,
            ProgramStart = programStart,
            UnitEnd = unitEnd,
        };
    }

    /// <summary>Version 5's directory (when <paramref name="directories"/> is null) or file entries, described by their format.</summary>
    private static List<string> ReadEntries(ref DwarfReader h, bool is64, ReadOnlySpan<byte> lineStrings, ReadOnlySpan<byte> strings, List<string>? directories)
    {
        int formatCount = h.U8();
        var format = new (ulong Content, ulong Form)[formatCount];
        for (int i = 0; i < formatCount; i++)
            format[i] = (h.Uleb(), h.Uleb());
        ulong count = h.Uleb();
        // Every entry takes at least a byte of the header, unless the format is empty: the count cannot claim more.
        if (count > MaxEntries || count > (ulong)(h.Length - h.Position) && formatCount > 0)
            throw new CfiFormatException($"{count} line table entries claimed");
        var entries = new List<string>();
        for (ulong e = 0; e < count; e++)
        {
            string? path = null;
            ulong directory = 0;
            foreach (var (content, form) in format)
            {
                var (text, number) = ReadForm(ref h, form, is64, lineStrings, strings);
                if (content == DwLnctPath) path = text;
                else if (content == DwLnctDirectoryIndex) directory = number;
            }
            entries.Add(directories is null ? path ?? "" : Join(directory < (ulong)directories.Count ? directories[(int)directory] : null, path ?? ""));
        }
        return entries;
    }

    /// <summary>One attribute value: a string for the string forms, a number for the constant forms, skipped otherwise.</summary>
    private static (string? Text, ulong Number) ReadForm(ref DwarfReader h, ulong form, bool is64, ReadOnlySpan<byte> lineStrings, ReadOnlySpan<byte> strings)
    {
        switch (form)
        {
            case 0x08: return (h.CString(), 0); // DW_FORM_string
            case 0x1F: return (StringAt(lineStrings, is64 ? h.U64() : h.U32()), 0); // DW_FORM_line_strp
            case 0x0E: return (StringAt(strings, is64 ? h.U64() : h.U32()), 0); // DW_FORM_strp
            case 0x0B: return (null, h.U8()); // DW_FORM_data1
            case 0x05: return (null, h.U16()); // DW_FORM_data2
            case 0x06: return (null, h.U32()); // DW_FORM_data4
            case 0x07: return (null, h.U64()); // DW_FORM_data8
            case 0x0F: return (null, h.Uleb()); // DW_FORM_udata
            case 0x0D: return (null, (ulong)h.Sleb()); // DW_FORM_sdata
            case 0x1E: h.Position += Checked(ref h, 16); return (null, 0); // DW_FORM_data16 (an MD5)
            case 0x09: // DW_FORM_block
                ulong size = h.Uleb();
                if (size > (ulong)(h.Length - h.Position))
                    throw new CfiFormatException("a block passes the header's end");
                h.Position += (int)size;
                return (null, 0);
            // DW_FORM_strx*: the index needs .debug_str_offsets and the unit's base, which the line table does not give.
            case 0x1A: h.Uleb(); return ("", 0);
            case 0x25: h.U8(); return ("", 0);
            case 0x26: h.U16(); return ("", 0);
            case 0x27: h.Position += Checked(ref h, 3); return ("", 0);
            case 0x28: h.U32(); return ("", 0);
            default: throw new CfiFormatException($"form 0x{form:x} in a line table header");
        }
    }

    private static int Checked(ref DwarfReader h, int n) =>
        h.Position <= h.Length - n ? n : throw new CfiFormatException($"read of {n} bytes passes the header's end");

    private static string StringAt(ReadOnlySpan<byte> table, ulong offset)
    {
        if (offset >= (ulong)table.Length)
            throw new CfiFormatException($"string offset 0x{offset:x} outside its section ({table.Length} bytes)");
        var rest = table[(int)offset..];
        int end = rest.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }

    private static string Join(string? directory, string name) =>
        directory is null or "" || name.StartsWith('/') ? name : directory.TrimEnd('/') + "/" + name;
}
