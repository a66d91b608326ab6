using Microsoft.Diagnostics.Runtime;
using OpenWer.Analysis.Modules;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Managed;

/// <summary>
/// The .NET view of a dump of a .NET process, through ClrMD and the runtime's DAC: each thread's managed frames
/// interleaved with its native walk, the crashing thread's managed exception, managed thread names, and on request
/// the GC heap by type. Without a DAC (or when the runtime's data cannot be read) only <see cref="Problem"/> is set and
/// the native walks stand as they are.
/// </summary>
public sealed class ManagedAnalysis
{
    private readonly Dictionary<uint, CallStack> _stacks = [];

    public DumpModule Runtime { get; }
    public string? RuntimeVersion => DotNetRuntimeModule.VersionFromPath(Runtime);
    public string? DacPath { get; private set; }
    /// <summary>Why the managed view is missing or partial, or null.</summary>
    public string? Problem { get; private set; }
    /// <summary>The runtime's threads by OS thread id.</summary>
    public IReadOnlyDictionary<uint, ManagedThread> Threads { get; private set; } = new Dictionary<uint, ManagedThread>();
    /// <summary>The exception the crashing (or dump-requesting) thread is handling, or null.</summary>
    public ManagedException? Exception { get; private set; }
    public uint? ExceptionThreadId { get; private set; }
    /// <summary>The heap statistics when asked for (--heap), else null.</summary>
    public HeapStatistics? Heap { get; private set; }

    private ManagedAnalysis(DumpModule runtime) => Runtime = runtime;

    /// <summary>The thread's walk with its managed frames merged in (the native walk when it has none).</summary>
    public CallStack Stack(DumpThread thread, CallStack native) => _stacks.GetValueOrDefault(thread.ThreadId, native);

    public ManagedThread? Thread(uint threadId) => Threads.GetValueOrDefault(threadId);

    /// <summary>The managed view of the dump, or null when the dump is not of a .NET process (no libcoreclr.so).</summary>
    public static ManagedAnalysis? Read(CrashDump dump, ManagedOptions options, IReadOnlyDictionary<DumpThread, CallStack> walks)
    {
        if (DotNetRuntimeModule.Find(dump.Modules) is not { } runtime)
            return null;
        var analysis = new ManagedAnalysis(runtime);
        var dac = DacLocator.Find(runtime, options.DacPath);
        if (dac.Path is null)
        {
            analysis.Problem = dac.Problem;
            if (options.Heap)
                analysis.Heap = HeapStatistics.Unavailable(HeapStatisticsReader.NotInDump(dump.Type) ?? "no DAC: " + dac.Problem);
            return analysis;
        }
        analysis.DacPath = dac.Path;
        try
        {
            analysis.ReadRuntime(dump, options, walks);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ClrMD and the DAC read the runtime's own structures out of a dump that may be damaged and throw many kinds
            // of exceptions; what was read so far stands, and the report says why the rest is missing.
            analysis.AddProblem($"the runtime's data could not be read through {dac.Path}: {e.GetType().Name}: {e.Message}");
            if (options.Heap && analysis.Heap is null)
                analysis.Heap = HeapStatistics.Unavailable(HeapStatisticsReader.NotInDump(dump.Type) ?? "the runtime's data could not be read");
        }
        return analysis;
    }

    private void ReadRuntime(CrashDump dump, ManagedOptions options, IReadOnlyDictionary<DumpThread, CallStack> walks)
    {
        // No symbol server: a crash analyzer reads the dump and this machine's files only.
        using var target = DataTarget.LoadDump(dump.Path, new DataTargetOptions { SymbolPaths = [] });
        var clr = target.ClrVersions.FirstOrDefault(c => c.ModuleInfo.ImageBase == Runtime.BaseAddress)
            ?? target.ClrVersions.FirstOrDefault()
            ?? throw new InvalidDataException("ClrMD finds no .NET runtime in the dump");
        // ClrMD cannot read an ELF build-id from a minidump, so it cannot check the DAC; DacLocator matched it by build-id.
        using var runtime = clr.CreateRuntime(DacPath!, ignoreMismatch: true);
        var names = ReadNames(runtime);
        var threads = new Dictionary<uint, ManagedThread>();
        int unnamed = 0;
        foreach (var thread in runtime.Threads)
        {
            if (thread.OSThreadId == 0)
                continue;
            var frames = ManagedFrameReader.Read(thread.EnumerateStackTrace(), keepUnnamed: false, out int missing);
            unnamed += missing;
            threads[thread.OSThreadId] = new ManagedThread(thread.OSThreadId, thread.ManagedThreadId, names.GetValueOrDefault(thread.ManagedThreadId),
                frames, ManagedExceptionReader.Read(thread.CurrentException));
        }
        Threads = threads;
        if (unnamed > 0)
            AddProblem($"{unnamed} managed frame(s) are left out: the DAC finds no method at their pc, whose JIT code is not in the dump " +
                "(a mini dump, or a heap dump written without the runtime's memfd mappings)");
        foreach (var (thread, native) in walks)
            if (threads.TryGetValue(thread.ThreadId, out var managed) && managed.Frames.Count > 0)
                _stacks[thread.ThreadId] = ManagedStackMerger.Merge(native, managed.Frames, ip => runtime.GetMethodByInstructionPointer(ip) is not null);
        if (dump.Crash is { } crash && threads.TryGetValue(crash.ThreadId, out var crashing) && crashing.CurrentException is { } exception)
        {
            Exception = exception;
            ExceptionThreadId = crash.ThreadId;
        }
        if (options.Heap)
            Heap = HeapStatisticsReader.Read(runtime, dump.Type);
    }

    private void AddProblem(string problem) => Problem = Problem is null ? problem : $"{Problem}; {problem}";

    private IReadOnlyDictionary<int, string> ReadNames(ClrRuntime runtime)
    {
        try
        {
            return ThreadNameReader.Read(runtime);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A mini dump may hold no Thread objects: frames and the exception are still worth showing.
            AddProblem($"managed thread names could not be read: {e.GetType().Name}: {e.Message}");
            return new Dictionary<int, string>();
        }
    }
}
