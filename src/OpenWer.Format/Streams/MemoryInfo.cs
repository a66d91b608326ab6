using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_MEMORY_INFO (48 bytes), an entry of the MemoryInfoList stream (16-byte header).</summary>
public readonly record struct MemoryInfo(
    ulong BaseAddress, ulong AllocationBase, uint AllocationProtect, ulong RegionSize,
    uint State, uint Protect, uint Type)
{
    public const int Size = 48;
    public const int ListHeaderSize = 16;

    public const uint StateCommit = 0x1000, StateReserve = 0x2000, StateFree = 0x10000;
    public const uint TypePrivate = 0x20000, TypeMapped = 0x40000, TypeImage = 0x1000000;
    public const uint PageNoAccess = 0x01, PageReadOnly = 0x02, PageReadWrite = 0x04, PageWriteCopy = 0x08,
        PageExecute = 0x10, PageExecuteRead = 0x20, PageExecuteReadWrite = 0x40, PageExecuteWriteCopy = 0x80;

    /// <summary>Whether a PAGE_* protection allows writing (copy-on-write included).</summary>
    public static bool IsWritable(uint protect) => (protect & (PageReadWrite | PageWriteCopy | PageExecuteReadWrite | PageExecuteWriteCopy)) != 0;

    /// <summary>Whether a PAGE_* protection allows executing.</summary>
    public static bool IsExecutable(uint protect) => (protect & (PageExecute | PageExecuteRead | PageExecuteReadWrite | PageExecuteWriteCopy)) != 0;

    public void Write(Span<byte> d)
    {
        d[..Size].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(d, BaseAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], AllocationBase);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], AllocationProtect);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], RegionSize);
        BinaryPrimitives.WriteUInt32LittleEndian(d[32..], State);
        BinaryPrimitives.WriteUInt32LittleEndian(d[36..], Protect);
        BinaryPrimitives.WriteUInt32LittleEndian(d[40..], Type);
    }

    public static MemoryInfo Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[32..]), BinaryPrimitives.ReadUInt32LittleEndian(s[36..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[40..]));

    /// <summary>
    /// The PAGE_* value for Linux r/w/x permissions. Copy-on-write (WRITECOPY) is what Windows reports for a writable
    /// private view of a file, not for private memory: a private anonymous mapping is READWRITE, as Windows' heap is.
    /// </summary>
    public static uint ProtectFor(bool read, bool write, bool execute, bool shared, bool fileBacked) => (read, write, execute) switch
    {
        (_, true, true) => shared || !fileBacked ? PageExecuteReadWrite : PageExecuteWriteCopy,
        (_, true, false) => shared || !fileBacked ? PageReadWrite : PageWriteCopy,
        (true, false, true) or (false, false, true) => PageExecuteRead,
        (true, false, false) => PageReadOnly,
        _ => PageNoAccess,
    };

    /// <summary>A mapping with no access at all (PROT_NONE: a reservation, a guard) is MEM_RESERVE, as on Windows; others MEM_COMMIT.</summary>
    public static uint StateFor(bool read, bool write, bool execute) => read || write || execute ? StateCommit : StateReserve;
}
