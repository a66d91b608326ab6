using OpenWer.Format;

namespace OpenWer.Dumps;

/// <summary>The MINIDUMP_TYPE flags of each dump type, exactly as the WER documentation gives them (DESIGN.md).</summary>
public static class DumpTypeFlags
{
    public const MinidumpType Micro = MinidumpType.WithDataSegs | MinidumpType.WithUnloadedModules |
        MinidumpType.WithProcessThreadData | MinidumpType.WithoutOptionalData;

    public const MinidumpType Mini = MinidumpType.WithDataSegs | MinidumpType.WithUnloadedModules |
        MinidumpType.WithProcessThreadData | MinidumpType.WithTokenInformation;

    public const MinidumpType Heap = MinidumpType.WithDataSegs | MinidumpType.WithProcessThreadData | MinidumpType.WithHandleData |
        MinidumpType.WithPrivateReadWriteMemory | MinidumpType.WithUnloadedModules | MinidumpType.WithFullMemoryInfo |
        MinidumpType.WithThreadInfo | MinidumpType.WithTokenInformation | MinidumpType.WithPrivateWriteCopyMemory;

    /// <summary>
    /// WithFullMemory and the full-memory set ProcDump's -ma uses (handles, unloaded modules, memory info,
    /// thread info, token), plus IgnoreInaccessibleMemory: a full dump is not lost to one unreadable page.
    /// </summary>
    public const MinidumpType Full = MinidumpType.WithFullMemory | MinidumpType.WithHandleData | MinidumpType.WithUnloadedModules |
        MinidumpType.WithFullMemoryInfo | MinidumpType.WithThreadInfo | MinidumpType.WithTokenInformation |
        MinidumpType.WithProcessThreadData | MinidumpType.IgnoreInaccessibleMemory;

    /// <summary>LocalDumps CustomDumpFlags default (0x121).</summary>
    public const MinidumpType LocalDumpsCustomDefault = MinidumpType.WithDataSegs | MinidumpType.WithUnloadedModules | MinidumpType.WithProcessThreadData;

    public static MinidumpType For(DumpType type) => type switch
    {
        DumpType.Micro => Micro,
        DumpType.Mini => Mini,
        DumpType.Heap => Heap,
        DumpType.Full => Full,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a dump type"),
    };

    /// <summary>Rejects bits outside MiniDumpValidTypeFlags (0x01ffffff), as MiniDumpWriteDump does.</summary>
    public static MinidumpType Validate(ulong flags) =>
        (flags & ~(ulong)MinidumpType.ValidTypeFlags) == 0
            ? (MinidumpType)flags
            : throw new ArgumentOutOfRangeException(nameof(flags), $"0x{flags:x} has bits outside MiniDumpValidTypeFlags (0x01ffffff)");
}
