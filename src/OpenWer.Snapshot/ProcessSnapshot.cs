using OpenWer.Format.Writing;

namespace OpenWer.Snapshot;

/// <summary>
/// What a process looked like at one moment, from whichever source (a live process, a core stream, another dump).
/// Memory is read through <see cref="Memory"/>, valid for as long as the source is held.
/// </summary>
public sealed record ProcessSnapshot(
    int ProcessId,
    string ExecutablePath,
    IReadOnlyList<ThreadSnapshot> Threads,
    IReadOnlyList<ModuleSnapshot> Modules,
    IReadOnlyList<Mapping> Mappings,
    IReadOnlyList<OpenHandle> Handles,
    ProcessFiles Files,
    SystemFacts System,
    ThreadTimes ProcessTimes,
    ExceptionSnapshot? Exception,
    IMemorySource Memory)
{
    /// <summary>r_debug and the link_map chain, when the process is dynamically linked and its linker had set DT_DEBUG.</summary>
    public DynamicLinkerSnapshot? DynamicLinker { get; init; }

    /// <summary>A few KiB that every dump type holds because a reader wants them whatever the type: glibc's abort message.</summary>
    public IReadOnlyList<MemoryRange> NotableMemory { get; init; } = [];

    /// <summary>The threads, every one in the context of <see cref="SystemFacts.Architecture"/>: readers pick the context layout by SystemInfo.</summary>
    /// <remarks>
    /// Checked when made and when either is replaced (a with-expression), so no snapshot holds another architecture's
    /// thread; a snapshot of another architecture is a new snapshot, not a with-expression.
    /// </remarks>
    public IReadOnlyList<ThreadSnapshot> Threads { get; init => field = OfOneArchitecture(value, System.Architecture); } = OfOneArchitecture(Threads, System.Architecture);

    public SystemFacts System
    {
        get;
        init
        {
            OfOneArchitecture(Threads, value.Architecture);
            field = value;
        }
    } = System;

    private static IReadOnlyList<ThreadSnapshot> OfOneArchitecture(IReadOnlyList<ThreadSnapshot> threads, Format.Streams.ProcessorArchitecture architecture)
    {
        foreach (var t in threads)
            if (t.Context.Architecture != architecture)
                throw new ArgumentException($"thread {t.ThreadId}'s registers are {t.Context.Architecture}, not the process's {architecture}", nameof(threads));
        return threads;
    }

    public Mapping? FindMapping(ulong address) => AddressRanges.IndexOf(Mappings, address) is int i and >= 0 ? Mappings[i] : null;
}
