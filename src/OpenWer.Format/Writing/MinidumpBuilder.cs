using System.Buffers.Binary;
using System.Text;
using OpenWer.Format.Streams;

namespace OpenWer.Format.Writing;

/// <summary>
/// Lays out a minidump. Everything but memory contents (header, streams, strings, contexts) is built in memory;
/// memory is only described, and streamed from an <see cref="IMemorySource"/> when the file is written, so a
/// dump of any size is written with a bounded buffer. File order: header, metadata, directory, MemoryList bytes
/// (below 4 GiB, as RVAs are 32-bit), then Memory64List bytes last and contiguous, as the format requires.
/// The signature is written last, so a file cut short is never taken for a valid dump (as Crashpad does).
/// </summary>
public sealed class MinidumpBuilder
{
    private byte[] _meta = new byte[256 * 1024];
    private int _length = MinidumpHeader.Size;
    private readonly List<DirectoryEntry> _directory = [];
    private readonly List<MemoryRange> _listed = [];
    private readonly List<(uint Site, int Range, ulong Offset)> _listedRvaSites = [];
    private List<MemoryRange> _bulk = [];
    private uint _memory64BaseSite;

    public IReadOnlyList<MemoryRange> ListedMemory => _listed;
    public IReadOnlyList<MemoryRange> BulkMemory => _bulk;

    /// <summary>Appends bytes to the metadata and returns their RVA.</summary>
    public uint Append(ReadOnlySpan<byte> data, int alignment = 8)
    {
        var span = Reserve(data.Length, alignment, out uint rva);
        data.CopyTo(span);
        return rva;
    }

    /// <summary>Reserves zeroed space in the metadata; write into the span before the next call.</summary>
    public Span<byte> Reserve(int size, int alignment, out uint rva)
    {
        int start = (_length + alignment - 1) / alignment * alignment;
        int end = start + size;
        if (end > _meta.Length)
            Array.Resize(ref _meta, Math.Max(end, _meta.Length * 2));
        _meta.AsSpan(_length, end - _length).Clear();
        _length = end;
        rva = (uint)start;
        return _meta.AsSpan(start, size);
    }

    /// <summary>Appends a MINIDUMP_STRING: byte length without the terminator, UTF-16LE text, then a 2-byte NUL.</summary>
    public uint AppendString(string text)
    {
        int bytes = Encoding.Unicode.GetByteCount(text);
        var span = Reserve(4 + bytes + 2, 4, out uint rva);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)bytes);
        Encoding.Unicode.GetBytes(text, span[4..]);
        return rva;
    }

    public void AddStream(StreamType type, LocationDescriptor location)
    {
        if (type != StreamType.Unused && _directory.Exists(e => e.StreamType == type))
            throw new InvalidOperationException($"stream {type} added twice; readers such as LLDB reject duplicate stream types");
        _directory.Add(new DirectoryEntry(type, location));
    }

    public void AddStream(StreamType type, ReadOnlySpan<byte> body, int alignment = 8) =>
        AddStream(type, new LocationDescriptor((uint)body.Length, Append(body, alignment)));

    /// <summary>A list stream of the "u32 count, then entries" kind; DataSize is exactly 4 + n * entry size.</summary>
    public void AddCountedList<T>(StreamType type, IReadOnlyList<T> entries, int entrySize, EntryWriter<T> write)
    {
        int size = 4 + entries.Count * entrySize;
        var span = Reserve(size, 8, out uint rva);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)entries.Count);
        for (int i = 0; i < entries.Count; i++)
            write(entries[i], span.Slice(4 + i * entrySize, entrySize));
        AddStream(type, new LocationDescriptor((uint)size, rva));
    }

    /// <summary>A list stream of the "{SizeOfHeader, SizeOfEntry, NumberOfEntries}" kind (12- or 16-byte header).</summary>
    public void AddHeaderedList<T>(StreamType type, IReadOnlyList<T> entries, int headerSize, int entrySize, EntryWriter<T> write)
    {
        int size = headerSize + entries.Count * entrySize;
        var span = Reserve(size, 8, out uint rva);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)headerSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)entrySize);
        if (headerSize == 16 && type == StreamType.MemoryInfoList)
            BinaryPrimitives.WriteUInt64LittleEndian(span[8..], (ulong)entries.Count); // NumberOfEntries is u64 here
        else
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)entries.Count);
        for (int i = 0; i < entries.Count; i++)
            write(entries[i], span.Slice(headerSize + i * entrySize, entrySize));
        AddStream(type, new LocationDescriptor((uint)size, rva));
    }

    /// <summary>Describes a memory range to be listed in MemoryList; returns its index for <see cref="PatchListedMemoryRva"/>.</summary>
    public int AddListedMemory(MemoryRange range)
    {
        if (range.Size > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(range), "a MemoryList range must be below 4 GiB; use Memory64List");
        _listed.Add(range);
        return _listed.Count - 1;
    }

    /// <summary>Has the u32 at metadata offset <paramref name="site"/> receive the file RVA of a listed range once it is known.</summary>
    public void PatchListedMemoryRva(uint site, int listedIndex, ulong offsetWithin = 0) => _listedRvaSites.Add((site, listedIndex, offsetWithin));

    /// <summary>Adds the MemoryList stream describing every listed range.</summary>
    public void AddMemoryListStream()
    {
        int n = _listed.Count;
        var span = Reserve(4 + n * MemoryDescriptor.Size, 8, out uint rva);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)n);
        for (int i = 0; i < n; i++)
        {
            uint entry = rva + 4 + (uint)(i * MemoryDescriptor.Size);
            new MemoryDescriptor(_listed[i].Start, new LocationDescriptor((uint)_listed[i].Size, 0)).Write(span[(4 + i * MemoryDescriptor.Size)..]);
            PatchListedMemoryRva(entry + MemoryDescriptor.RvaOffset, i);
        }
        AddStream(StreamType.MemoryList, new LocationDescriptor((uint)(4 + n * MemoryDescriptor.Size), rva));
    }

    /// <summary>Adds the Memory64List stream; its bytes go last in the file, contiguous, in this order.</summary>
    public void AddMemory64ListStream(IReadOnlyList<MemoryRange> ranges)
    {
        _bulk = [.. ranges];
        int size = Memory64Descriptor.ListHeaderSize + _bulk.Count * Memory64Descriptor.Size;
        var span = Reserve(size, 8, out uint rva);
        BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)_bulk.Count);
        for (int i = 0; i < _bulk.Count; i++)
            new Memory64Descriptor(_bulk[i].Start, _bulk[i].Size).Write(span[(16 + i * 16)..]);
        _memory64BaseSite = rva + 8;
        AddStream(StreamType.Memory64List, new LocationDescriptor((uint)size, rva));
    }

    /// <summary>
    /// Writes the file. <paramref name="zeroFillUnreadable"/> false makes an unreadable range fail the write
    /// (<see cref="UnreadableMemoryException"/>); true writes zeros for it and reports it in the result.
    /// </summary>
    public MinidumpWriteResult WriteTo(Stream output, IMemorySource memory, MinidumpType flags, uint timeDateStamp, bool zeroFillUnreadable)
    {
        if (!output.CanSeek)
            throw new ArgumentException("the output must be seekable: the signature is written last", nameof(output));
        var dirSpan = Reserve(_directory.Count * DirectoryEntry.Size, 4, out uint dirRva);
        for (int i = 0; i < _directory.Count; i++)
            _directory[i].Write(dirSpan[(i * DirectoryEntry.Size)..]);
        new MinidumpHeader((uint)_directory.Count, dirRva, timeDateStamp, flags).WriteWithoutSignature(_meta);

        // Listed memory follows the metadata, each range 16-aligned; bulk memory follows it, unpadded.
        var listedRvas = new ulong[_listed.Count];
        ulong offset = Align16((ulong)_length);
        for (int i = 0; i < _listed.Count; i++)
        {
            listedRvas[i] = offset;
            offset = Align16(offset + _listed[i].Size);
        }
        if (offset > uint.MaxValue)
            throw new InvalidOperationException("MemoryList data would lie beyond 4 GiB; put large ranges in Memory64List");
        foreach (var (site, range, within) in _listedRvaSites)
            BinaryPrimitives.WriteUInt32LittleEndian(_meta.AsSpan((int)site), (uint)(listedRvas[range] + within));
        ulong bulkBase = offset;
        if (_bulk.Count > 0)
            BinaryPrimitives.WriteUInt64LittleEndian(_meta.AsSpan((int)_memory64BaseSite), bulkBase);

        output.Position = 0;
        output.Write(_meta, 0, _length);
        // Listed ranges at their 16-aligned RVAs, then the bulk ranges back to back.
        var plan = new List<(long Offset, MemoryRange Range)>();
        for (int i = 0; i < _listed.Count; i++)
            plan.Add(((long)listedRvas[i], _listed[i]));
        long bulkOffset = (long)bulkBase;
        foreach (var range in _bulk)
        {
            plan.Add((bulkOffset, range));
            bulkOffset += (long)range.Size;
        }
        var unreadable = MemoryCopier.Copy(output, _length, plan, memory, zeroFillUnreadable);
        output.Flush();
        long length = output.Length;
        output.Position = 0;
        Span<byte> signature = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(signature, MinidumpHeader.ExpectedSignature);
        output.Write(signature);
        output.Flush();
        return new MinidumpWriteResult(length, unreadable);
    }

    private static ulong Align16(ulong value) => (value + 15) & ~15UL;
}
