using OpenWer.Format;

namespace OpenWer.Dumps;

/// <summary>A dump of a live process to take.</summary>
/// <param name="ProcessId">The process.</param>
/// <param name="Flags">MINIDUMP_TYPE flags (from a <see cref="DumpType"/> or custom).</param>
/// <param name="ThreadId">The thread the dump is for (exception thread); null: the main thread.</param>
/// <param name="OnlyThisThread">Write that thread alone (micro dumps).</param>
/// <param name="OutputPath">Where the file goes.</param>
/// <param name="Overwrite">Replace an existing file.</param>
public sealed record DumpRequest(int ProcessId, MinidumpType Flags, int? ThreadId, bool OnlyThisThread, string OutputPath, bool Overwrite = false)
{
    /// <summary>An exception to record (signal, si_code, address, thread) instead of "dump requested".</summary>
    public Snapshot.ExceptionSnapshot? Exception { get; init; }

    /// <summary>Memory to include whatever the flags (WerRegisterMemoryBlock's blocks).</summary>
    public IReadOnlyList<Format.Writing.MemoryRange> ExtraMemory { get; init; } = [];

    /// <summary>Per-thread and per-module choices (WER_DUMP_CUSTOM_OPTIONS), or null for everything.</summary>
    public Selection.DumpFilter? Filter { get; init; }

    /// <summary>WER's rule: a micro dump needs a thread; the API rejects one without it (E_INVALIDARG).</summary>
    public static DumpRequest ForType(int pid, DumpType type, int? threadId, string outputPath, bool overwrite = false)
    {
        if (type == DumpType.Micro && threadId is null)
            throw new ArgumentException("a micro dump needs a thread", nameof(threadId));
        return new DumpRequest(pid, DumpTypeFlags.For(type), threadId, type == DumpType.Micro, outputPath, overwrite);
    }
}
