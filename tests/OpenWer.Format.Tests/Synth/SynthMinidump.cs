using System.Buffers.Binary;
using System.Text;

namespace OpenWer.Format.Tests.Synth;

/// <summary>
/// A minidump put together byte by byte for reader tests, the way rust-minidump's synth-minidump does: every field is
/// written here with BinaryPrimitives at its documented offset, not by our writer's structs, so a reader test checks
/// the reader against the format and not against the writer. Anything can be made to lie: a stream is any bytes, an
/// RVA any number, the header's stream count any count.
/// </summary>
public sealed class SynthMinidump
{
    private readonly MemoryStream _data = new();
    private readonly List<(uint Type, uint Size, uint Rva)> _streams = [];

    public const uint HeaderSize = 32, DirectoryEntrySize = 12, ThreadSize = 48, ModuleSize = 108, MemoryDescriptorSize = 16;

    public SynthMinidump() => _data.Write(new byte[HeaderSize]);

    /// <summary>The offset the next appended bytes will have.</summary>
    public uint Position => (uint)_data.Length;

    /// <summary>Appends raw bytes (4-aligned) and returns their RVA.</summary>
    public uint Bytes(ReadOnlySpan<byte> bytes)
    {
        while (_data.Length % 4 != 0)
            _data.WriteByte(0);
        uint rva = Position;
        _data.Write(bytes);
        return rva;
    }

    /// <summary>A MINIDUMP_STRING: a u32 byte length, then UTF-16LE (and a terminating NUL, not counted).</summary>
    public uint String(string text, uint? claimedLength = null)
    {
        var utf16 = Encoding.Unicode.GetBytes(text);
        var bytes = new byte[4 + utf16.Length + 2];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, claimedLength ?? (uint)utf16.Length);
        utf16.CopyTo(bytes, 4);
        return Bytes(bytes);
    }

    /// <summary>A stream of the given type with these bytes as its body.</summary>
    public SynthMinidump Stream(StreamType type, ReadOnlySpan<byte> body)
    {
        uint rva = Bytes(body);
        _streams.Add(((uint)type, (uint)body.Length, rva));
        return this;
    }

    public readonly record struct Thread(uint Id, ulong Teb, ulong StackStart, uint StackSize, uint StackRva, uint ContextSize, uint ContextRva);

    /// <summary>MINIDUMP_THREAD_LIST: a u32 count, <paramref name="padding"/> bytes, 48-byte entries.</summary>
    public SynthMinidump ThreadList(IReadOnlyList<Thread> threads, int padding = 0)
    {
        var body = new byte[4 + padding + threads.Count * ThreadSize];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)threads.Count);
        for (int i = 0; i < threads.Count; i++)
        {
            var e = body.AsSpan(4 + padding + i * (int)ThreadSize);
            var t = threads[i];
            BinaryPrimitives.WriteUInt32LittleEndian(e, t.Id);          // ThreadId
            BinaryPrimitives.WriteUInt64LittleEndian(e[16..], t.Teb);   // after SuspendCount, PriorityClass, Priority
            BinaryPrimitives.WriteUInt64LittleEndian(e[24..], t.StackStart);
            BinaryPrimitives.WriteUInt32LittleEndian(e[32..], t.StackSize);
            BinaryPrimitives.WriteUInt32LittleEndian(e[36..], t.StackRva);
            BinaryPrimitives.WriteUInt32LittleEndian(e[40..], t.ContextSize);
            BinaryPrimitives.WriteUInt32LittleEndian(e[44..], t.ContextRva);
        }
        return Stream(StreamType.ThreadList, body);
    }

    public readonly record struct Module(ulong Base, uint Size, uint NameRva, uint CvSize, uint CvRva);

    /// <summary>MINIDUMP_MODULE_LIST: a u32 count, then 108-byte entries (BaseOfImage u64 @0, SizeOfImage @8, ModuleNameRva @20, CvRecord @76).</summary>
    public SynthMinidump ModuleList(IReadOnlyList<Module> modules)
    {
        var body = new byte[4 + modules.Count * ModuleSize];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)modules.Count);
        for (int i = 0; i < modules.Count; i++)
        {
            var e = body.AsSpan(4 + i * (int)ModuleSize);
            var m = modules[i];
            BinaryPrimitives.WriteUInt64LittleEndian(e, m.Base);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], m.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], m.NameRva);
            BinaryPrimitives.WriteUInt32LittleEndian(e[76..], m.CvSize);
            BinaryPrimitives.WriteUInt32LittleEndian(e[80..], m.CvRva);
        }
        return Stream(StreamType.ModuleList, body);
    }

    /// <summary>A CodeView record of Breakpad's ELF kind: MD_CVINFOELF_SIGNATURE ('BpEL' as a number, "LEpB" in the file) then the build-id.</summary>
    public uint ElfCodeView(ReadOnlySpan<byte> buildId)
    {
        var bytes = new byte[4 + buildId.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0x4270454C);
        buildId.CopyTo(bytes.AsSpan(4));
        return Bytes(bytes);
    }

    /// <summary>MINIDUMP_MEMORY_LIST: a u32 count, then {StartOfMemoryRange u64, DataSize u32, Rva u32} each.</summary>
    public SynthMinidump MemoryList(IReadOnlyList<(ulong Address, uint Size, uint Rva)> ranges)
    {
        var body = new byte[4 + ranges.Count * MemoryDescriptorSize];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)ranges.Count);
        for (int i = 0; i < ranges.Count; i++)
        {
            var e = body.AsSpan(4 + i * (int)MemoryDescriptorSize);
            BinaryPrimitives.WriteUInt64LittleEndian(e, ranges[i].Address);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], ranges[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(e[12..], ranges[i].Rva);
        }
        return Stream(StreamType.MemoryList, body);
    }

    /// <summary>MINIDUMP_MEMORY64_LIST: a u64 count, a u64 BaseRva, then {StartOfMemoryRange, DataSize} (u64 each).</summary>
    public SynthMinidump Memory64List(ulong baseRva, IReadOnlyList<(ulong Address, ulong Size)> ranges, ulong? claimedCount = null)
    {
        var body = new byte[16 + ranges.Count * 16];
        BinaryPrimitives.WriteUInt64LittleEndian(body, claimedCount ?? (ulong)ranges.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(8), baseRva);
        for (int i = 0; i < ranges.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(16 + 16 * i), ranges[i].Address);
            BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(24 + 16 * i), ranges[i].Size);
        }
        return Stream(StreamType.Memory64List, body);
    }

    /// <summary>The file: header ('MDMP', version 0xA793, the stream count, the directory's RVA), the data, the directory.</summary>
    public byte[] Build(uint? claimedStreamCount = null)
    {
        var directory = new byte[_streams.Count * DirectoryEntrySize];
        for (int i = 0; i < _streams.Count; i++)
        {
            var e = directory.AsSpan(i * (int)DirectoryEntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e, _streams[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], _streams[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], _streams[i].Rva);
        }
        uint directoryRva = Bytes(directory);
        var bytes = _data.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0x504D444D);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 0xA793);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), claimedStreamCount ?? (uint)_streams.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), directoryRva);
        return bytes;
    }
}
