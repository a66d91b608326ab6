namespace OpenWer.Analysis.Cfi;

/// <summary>
/// The .eh_frame section of one module, indexed: its FDEs sorted by the code they cover, its CIEs parsed once.
/// A malformed entry ends the index there (what came before stays usable).
/// </summary>
public sealed class EhFrame
{
    private readonly byte[] _section;
    private readonly FrameDescriptionEntry[] _fdes;
    private readonly Dictionary<int, CommonInformationEntry> _cies = [];

    /// <summary>The section's link-time address: pc-relative pointers are relative to it.</summary>
    public ulong SectionAddress { get; }
    public int Count => _fdes.Length;
    public ReadOnlySpan<byte> Bytes => _section;

    public EhFrame(byte[] section, ulong sectionAddress)
    {
        _section = section;
        SectionAddress = sectionAddress;
        var fdes = new List<FrameDescriptionEntry>();
        try
        {
            Index(fdes);
        }
        catch (CfiFormatException)
        {
            // Keep the entries read so far.
        }
        _fdes = [.. fdes.OrderBy(f => f.PcBegin)];
    }

    private void Index(List<FrameDescriptionEntry> fdes)
    {
        int at = 0;
        while (at + 4 <= _section.Length)
        {
            var r = new DwarfReader(_section, at);
            ulong length = r.U32();
            if (length == 0)
                break;
            if (length == 0xFFFFFFFF)
                throw new CfiFormatException("64-bit .eh_frame entries are not used by x86_64 or arm64 toolchains");
            int start = r.Position;
            if (length > (ulong)(_section.Length - start))
                throw new CfiFormatException($"entry at {at} runs past the section");
            int end = start + (int)length;
            uint id = r.U32();
            if (id != 0)
            {
                // The CIE pointer counts back from its own position.
                int cieOffset = start - (int)id;
                var cie = Cie(cieOffset);
                ulong begin = r.Pointer(cie.PointerEncoding, SectionAddress);
                ulong range = r.Pointer((byte)(cie.PointerEncoding & 0x0F), SectionAddress);
                if (cie.HasAugmentationData)
                    r.Position += (int)Math.Min(r.Uleb(), (ulong)(end - r.Position));
                if (r.Position <= end && range > 0)
                    fdes.Add(new FrameDescriptionEntry(begin, begin + range, cieOffset, r.Position, end));
            }
            at = end;
        }
    }

    public CommonInformationEntry Cie(int offset)
    {
        if (_cies.TryGetValue(offset, out var known))
            return known;
        if (offset < 0 || offset + 8 > _section.Length)
            throw new CfiFormatException($"CIE offset {offset} is outside the section");
        var r = new DwarfReader(_section, offset);
        uint length = r.U32();
        int start = r.Position;
        if (length > (uint)(_section.Length - start) || r.U32() != 0)
            throw new CfiFormatException($"no CIE at {offset}");
        int end = start + (int)length;
        byte version = r.U8();
        string augmentation = r.CString();
        if (augmentation.Contains("eh", StringComparison.Ordinal))
            r.U64();
        ulong codeAlignment = r.Uleb();
        long dataAlignment = r.Sleb();
        int returnColumn = version == 1 ? r.U8() : (int)Math.Min(r.Uleb(), 1024);
        byte encoding = 0;
        bool signal = false, z = augmentation.StartsWith('z');
        if (z)
        {
            ulong dataLength = r.Uleb();
            int dataEnd = r.Position + (int)Math.Min(dataLength, (ulong)(end - r.Position));
            foreach (char c in augmentation.AsSpan(1))
            {
                switch (c)
                {
                    case 'R': encoding = r.U8(); break;
                    case 'L': r.U8(); break;
                    case 'P': r.Pointer((byte)(r.U8() & 0x7F), SectionAddress); break;
                    case 'S': signal = true; break;
                    case 'B' or 'G': break;
                    default: r.Position = dataEnd; break;
                }
            }
            r.Position = dataEnd;
        }
        var cie = new CommonInformationEntry(codeAlignment, dataAlignment, returnColumn, encoding, z, signal, r.Position, end);
        _cies[offset] = cie;
        return cie;
    }

    /// <summary>The FDE covering a link-time address, if any.</summary>
    public FrameDescriptionEntry? Find(ulong address)
    {
        int lo = 0, hi = _fdes.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_fdes[mid].PcBegin <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        // Nested ranges do not occur, but a zero-size or overlapping neighbour can: look a few back.
        for (int i = found; i >= 0 && i > found - 4; i--)
            if (address >= _fdes[i].PcBegin && address < _fdes[i].PcEnd)
                return _fdes[i];
        return null;
    }
}
