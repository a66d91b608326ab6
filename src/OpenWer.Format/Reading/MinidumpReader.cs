using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using OpenWer.Format.Contexts;
using OpenWer.Format.Streams;

namespace OpenWer.Format.Reading;

/// <summary>
/// Reads every stream our writer writes, bounds-checking each offset and count taken from the file, so a
/// truncated or lying file gives a <see cref="MinidumpFormatException"/>, never an unbounded allocation.
/// </summary>
public sealed class MinidumpReader : IDisposable
{
    /// <summary>No stream we read is larger than this; bulk memory is read in caller-sized pieces.</summary>
    public const int MaxStreamSize = 64 << 20;
    private const int MaxStringBytes = 64 * 1024;
    private readonly SafeFileHandle _file;
    private MemoryIndex? _memory;

    public long FileLength { get; }
    public MinidumpHeader Header { get; }
    public IReadOnlyList<DirectoryEntry> Directory { get; }

    private MinidumpReader(SafeFileHandle file)
    {
        _file = file;
        FileLength = RandomAccess.GetLength(file);
        if (FileLength < MinidumpHeader.Size)
            throw new MinidumpFormatException($"file is {FileLength} bytes, shorter than a minidump header ({MinidumpHeader.Size})");
        Header = MinidumpHeader.Read(ReadAt(0, MinidumpHeader.Size));
        if (Header.NumberOfStreams > 4096)
            throw new MinidumpFormatException($"header claims {Header.NumberOfStreams} streams; refusing more than 4096");
        var dir = ReadAt(Header.StreamDirectoryRva, (uint)(Header.NumberOfStreams * DirectoryEntry.Size));
        var entries = new DirectoryEntry[Header.NumberOfStreams];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = DirectoryEntry.Read(dir.AsSpan(i * DirectoryEntry.Size));
            CheckRange(entries[i].Location.Rva, entries[i].Location.DataSize, $"stream {entries[i].StreamType}");
        }
        Directory = entries;
    }

    public static MinidumpReader Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new MinidumpReader(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Dispose() => _file.Dispose();

    public bool TryFindStream(StreamType type, out LocationDescriptor location)
    {
        foreach (var entry in Directory)
        {
            if (entry.StreamType == type)
            {
                location = entry.Location;
                return true;
            }
        }
        location = default;
        return false;
    }

    public byte[]? ReadStream(StreamType type)
    {
        if (!TryFindStream(type, out var location))
            return null;
        if (location.DataSize > MaxStreamSize)
            throw new MinidumpFormatException($"stream {type} is {location.DataSize} bytes; refusing more than {MaxStreamSize}");
        return ReadAt(location.Rva, location.DataSize);
    }

    public byte[] ReadAt(ulong rva, uint size)
    {
        CheckRange(rva, size, "read");
        var bytes = new byte[size];
        int n = RandomAccess.Read(_file, bytes, (long)rva);
        if (n != size)
            throw new MinidumpFormatException($"short read at 0x{rva:x}");
        return bytes;
    }

    private void CheckRange(ulong rva, ulong size, string what)
    {
        if (rva > (ulong)FileLength || size > (ulong)FileLength - rva)
            throw new MinidumpFormatException($"{what}: range 0x{rva:x}+0x{size:x} lies beyond the end of the file (0x{FileLength:x})");
    }

    public string ReadString(uint rva)
    {
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(ReadAt(rva, 4));
        if (length > MaxStringBytes || length % 2 != 0)
            throw new MinidumpFormatException($"string at 0x{rva:x} has a bad length {length}");
        return Encoding.Unicode.GetString(ReadAt(rva + 4UL, length));
    }

    private List<T> ReadCountedList<T>(StreamType type, int entrySize, Func<byte[], int, T> read)
    {
        var bytes = ReadStream(type);
        if (bytes is null)
            return [];
        if (bytes.Length < 4)
            throw new MinidumpFormatException($"{type} is shorter than its count");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        // Breakpad and rust-minidump accept exactly 4 pad bytes after the count.
        int start = bytes.Length == 4 + count * (long)entrySize ? 4 : bytes.Length == 8 + count * (long)entrySize ? 8 : -1;
        if (start < 0)
            throw new MinidumpFormatException($"{type}: {count} entries of {entrySize} bytes do not fit its size {bytes.Length}");
        var list = new List<T>((int)count);
        for (int i = 0; i < count; i++)
            list.Add(read(bytes, start + i * entrySize));
        return list;
    }

    private List<T> ReadHeaderedList<T>(StreamType type, int minimumEntrySize, Func<byte[], int, T> read)
    {
        var bytes = ReadStream(type);
        if (bytes is null)
            return [];
        if (bytes.Length < 12)
            throw new MinidumpFormatException($"{type} is shorter than its header");
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        uint entrySize = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        ulong count = headerSize >= 16 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (type != StreamType.MemoryInfoList && headerSize >= 16)
            count = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (entrySize < minimumEntrySize || headerSize > bytes.Length || count > (ulong)((bytes.Length - headerSize) / entrySize))
            throw new MinidumpFormatException($"{type}: header {headerSize}, {count} entries of {entrySize} bytes do not fit its size {bytes.Length}");
        var list = new List<T>((int)count);
        for (int i = 0; i < (int)count; i++)
            list.Add(read(bytes, (int)(headerSize + i * entrySize)));
        return list;
    }

    public IReadOnlyList<MinidumpThread> ReadThreads() =>
        ReadCountedList(StreamType.ThreadList, MinidumpThread.Size, (b, o) => MinidumpThread.Read(b.AsSpan(o)));

    public IReadOnlyList<ModuleRecord> ReadModules() =>
        ReadCountedList(StreamType.ModuleList, MinidumpModule.Size, (b, o) => MinidumpModule.Read(b.AsSpan(o)))
            .Select(m => new ModuleRecord(m, ReadString(m.ModuleNameRva),
                m.CvRecord.DataSize is > 0 and < 4096 ? CodeViewRecord.TryReadElfBuildId(ReadAt(m.CvRecord.Rva, m.CvRecord.DataSize)) : null))
            .ToList();

    public IReadOnlyList<MemoryDescriptor> ReadMemoryList() =>
        ReadCountedList(StreamType.MemoryList, MemoryDescriptor.Size, (b, o) => MemoryDescriptor.Read(b.AsSpan(o)));

    public Memory64List ReadMemory64List()
    {
        var bytes = ReadStream(StreamType.Memory64List);
        if (bytes is null)
            return new Memory64List(0, []);
        if (bytes.Length < 16)
            throw new MinidumpFormatException("Memory64List is shorter than its header");
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        ulong baseRva = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        // The count first, alone: 16 + 16 x count can wrap around to the stream's size.
        if (count > (ulong)(bytes.Length - 16) / 16 || (ulong)bytes.Length != 16 + count * 16)
            throw new MinidumpFormatException($"Memory64List size {bytes.Length} is not 16 + 16 x {count}");
        var ranges = new Memory64Descriptor[count];
        ulong total = 0;
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = Memory64Descriptor.Read(bytes.AsSpan(16 + 16 * i));
            total += ranges[i].DataSize;
        }
        CheckRange(baseRva, total, "Memory64List data");
        return new Memory64List(baseRva, ranges);
    }

    public ExceptionStream? ReadException()
    {
        var bytes = ReadStream(StreamType.Exception);
        if (bytes is null)
            return null;
        if (bytes.Length < ExceptionStream.Size)
            throw new MinidumpFormatException($"Exception stream is {bytes.Length} bytes, expected {ExceptionStream.Size}");
        return ExceptionStream.Read(bytes);
    }

    public SystemInfo? ReadSystemInfo()
    {
        var bytes = ReadStream(StreamType.SystemInfo);
        if (bytes is null)
            return null;
        if (bytes.Length < SystemInfo.Size)
            throw new MinidumpFormatException($"SystemInfo stream is {bytes.Length} bytes, expected {SystemInfo.Size}");
        return SystemInfo.Read(bytes);
    }

    public MiscInfo? ReadMiscInfo()
    {
        var bytes = ReadStream(StreamType.MiscInfo);
        return bytes is null ? null : bytes.Length < MiscInfo.Size ? throw new MinidumpFormatException("MiscInfo is too short") : MiscInfo.Read(bytes);
    }

    public BreakpadInfo? ReadBreakpadInfo()
    {
        var bytes = ReadStream(StreamType.BreakpadInfo);
        return bytes is null ? null : bytes.Length < BreakpadInfo.Size ? throw new MinidumpFormatException("BreakpadInfo is too short") : BreakpadInfo.Read(bytes);
    }

    /// <summary>LINUX_DSO_DEBUG, in the 32-bit layout for an x86 dump (by SystemInfo) and the 64-bit one otherwise.</summary>
    public DsoDebugRecord? ReadDsoDebug()
    {
        var bytes = ReadStream(StreamType.LinuxDsoDebug);
        if (bytes is null)
            return null;
        bool wide = ReadSystemInfo()?.ProcessorArchitecture != ProcessorArchitecture.Intel;
        int headerSize = LinuxDsoDebug.SizeFor(wide), entrySize = LinkMapEntry.SizeFor(wide);
        if (bytes.Length < headerSize)
            throw new MinidumpFormatException("LINUX_DSO_DEBUG is shorter than its header");
        var debug = LinuxDsoDebug.Read(bytes, wide);
        if (debug.DsoCount > (ulong)FileLength / (ulong)entrySize)
            throw new MinidumpFormatException($"LINUX_DSO_DEBUG claims {debug.DsoCount} link_map entries, more than the file could hold");
        var map = debug.DsoCount == 0 ? [] : ReadAt(debug.Map, debug.DsoCount * (uint)entrySize);
        var objects = Enumerable.Range(0, (int)debug.DsoCount).Select(i => LinkMapEntry.Read(map.AsSpan(i * entrySize), wide))
            .Select(e => (e, e.Name == 0 ? "" : ReadString(e.Name))).ToList();
        return new DsoDebugRecord(debug, objects, bytes[headerSize..]);
    }

    public IReadOnlyList<MemoryInfo> ReadMemoryInfoList() =>
        ReadHeaderedList(StreamType.MemoryInfoList, MemoryInfo.Size, (b, o) => MemoryInfo.Read(b.AsSpan(o)));

    public IReadOnlyList<ThreadInfo> ReadThreadInfoList() =>
        ReadHeaderedList(StreamType.ThreadInfoList, ThreadInfo.Size, (b, o) => ThreadInfo.Read(b.AsSpan(o)));

    public IReadOnlyList<HandleRecord> ReadHandles() =>
        ReadHeaderedList(StreamType.HandleData, HandleDescriptor.Size, (b, o) => HandleDescriptor.Read(b.AsSpan(o)))
            .Select(h => new HandleRecord(h, h.TypeNameRva == 0 ? null : ReadString(h.TypeNameRva), h.ObjectNameRva == 0 ? null : ReadString(h.ObjectNameRva)))
            .ToList();

    public IReadOnlyList<UnloadedModule> ReadUnloadedModules() =>
        ReadHeaderedList(StreamType.UnloadedModuleList, UnloadedModule.Size, (b, o) => UnloadedModule.Read(b.AsSpan(o)));

    public IReadOnlyDictionary<uint, string> ReadThreadNames() =>
        ReadCountedList(StreamType.ThreadNames, ThreadNameEntry.Size, (b, o) => ThreadNameEntry.Read(b.AsSpan(o)))
            .ToDictionary(t => t.ThreadId, t => t.RvaOfThreadName <= uint.MaxValue ? ReadString((uint)t.RvaOfThreadName) : throw new MinidumpFormatException("thread name beyond 4 GiB"));

    public ContextAmd64 ReadContextAmd64(LocationDescriptor location)
    {
        if (location.DataSize < ContextAmd64.Size || location.DataSize > 64 * 1024)
            throw new MinidumpFormatException($"context of {location.DataSize} bytes is not an AMD64 CONTEXT ({ContextAmd64.Size})");
        return ContextAmd64.Read(ReadAt(location.Rva, location.DataSize));
    }

    public ContextArm64 ReadContextArm64(LocationDescriptor location)
    {
        if (location.DataSize != ContextArm64.Size)
            throw new MinidumpFormatException($"context of {location.DataSize} bytes is not an ARM64 CONTEXT ({ContextArm64.Size})");
        return ContextArm64.Read(ReadAt(location.Rva, location.DataSize));
    }

    public ContextX86 ReadContextX86(LocationDescriptor location)
    {
        if (location.DataSize != ContextX86.Size)
            throw new MinidumpFormatException($"context of {location.DataSize} bytes is not an x86 CONTEXT ({ContextX86.Size})");
        return ContextX86.Read(ReadAt(location.Rva, location.DataSize));
    }

    /// <summary>Reads process memory held in the dump (MemoryList and Memory64List); returns how many bytes were present, from the start.</summary>
    public int ReadMemory(ulong address, Span<byte> destination)
    {
        _memory ??= new MemoryIndex(this);
        int done = 0;
        while (done < destination.Length)
        {
            if (!_memory.TryLocate(address + (ulong)done, out ulong fileOffset, out ulong available))
                break;
            int n = (int)Math.Min(available, (ulong)(destination.Length - done));
            int got = RandomAccess.Read(_file, destination.Slice(done, n), (long)fileOffset);
            if (got <= 0)
                break;
            done += got;
        }
        return done;
    }

    private sealed class MemoryIndex
    {
        private readonly (ulong Start, ulong Size, ulong FileOffset)[] _ranges;

        public MemoryIndex(MinidumpReader reader)
        {
            var ranges = new List<(ulong, ulong, ulong)>();
            foreach (var d in reader.ReadMemoryList())
            {
                reader.CheckRange(d.Memory.Rva, d.Memory.DataSize, "MemoryList range");
                ranges.Add((d.StartOfMemoryRange, d.Memory.DataSize, d.Memory.Rva));
            }
            var m64 = reader.ReadMemory64List();
            ulong offset = m64.BaseRva;
            foreach (var d in m64.Ranges)
            {
                ranges.Add((d.StartOfMemoryRange, d.DataSize, offset));
                offset += d.DataSize;
            }
            _ranges = [.. ranges.OrderBy(r => r.Item1)];
        }

        public bool TryLocate(ulong address, out ulong fileOffset, out ulong available)
        {
            int lo = 0, hi = _ranges.Length - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (_ranges[mid].Start <= address) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            // Ranges may overlap (a stack in both lists); scan back for one that holds the address.
            for (int i = found; i >= 0 && i > found - 64; i--)
            {
                var r = _ranges[i];
                if (address - r.Start < r.Size)
                {
                    fileOffset = r.FileOffset + (address - r.Start);
                    available = r.Size - (address - r.Start);
                    return true;
                }
            }
            fileOffset = available = 0;
            return false;
        }
    }
}
