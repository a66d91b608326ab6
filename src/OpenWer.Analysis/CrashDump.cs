using OpenWer.Analysis.Cfi;
using OpenWer.Analysis.Crash;
using OpenWer.Analysis.Memory;
using OpenWer.Analysis.Modules;
using OpenWer.Analysis.Walking;
using OpenWer.Format;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.Analysis;

/// <summary>
/// A minidump opened for analysis: what crashed and why, its threads and modules, and each thread's stack walked
/// and symbolized from the module files on this machine whose build-id matches. Bad input gives a
/// <see cref="MinidumpFormatException"/> from <see cref="Open"/>; a thread whose context cannot be read gives an empty walk with the reason.
/// </summary>
public sealed class CrashDump : IDisposable
{
    private readonly MinidumpReader _reader;
    private readonly WalkContext? _walk;
    private readonly StackWalker? _walker;

    public string Path { get; }
    /// <summary>When the dump was written: MINIDUMP_HEADER's TimeDateStamp (seconds since 1970, UTC).</summary>
    public DateTimeOffset Time { get; }
    /// <summary>The MINIDUMP_TYPE the dump was written with (MINIDUMP_HEADER's Flags): what memory it can hold.</summary>
    public MinidumpType Type { get; }
    public SystemDescription System { get; }
    public uint? ProcessId { get; }
    public IReadOnlyList<DumpThread> Threads { get; }
    public ModuleSet Modules { get; }
    public MemoryMap Map { get; }
    /// <summary>The crash (or the request), or null when the dump has no exception stream.</summary>
    public CrashInfo? Crash { get; }
    /// <summary>The architecture the walker supports for this dump, or null (with <see cref="WalkProblem"/>).</summary>
    public ICpuArchitecture? Architecture { get; }
    public string? WalkProblem { get; }

    private CrashDump(string path, MinidumpReader reader, ModuleFileLocator locator, WalkLimits limits)
    {
        Path = path;
        _reader = reader;
        Time = DateTimeOffset.FromUnixTimeSeconds(reader.Header.TimeDateStamp);
        Type = reader.Header.Flags;
        var systemInfo = reader.ReadSystemInfo();
        System = SystemDescription.From(systemInfo);
        ProcessId = reader.ReadMiscInfo()?.ProcessId;
        var names = ReadThreadNamesOrEmpty(reader);
        Threads = reader.ReadThreads().Select((t, i) => new DumpThread(i, t.ThreadId, names.GetValueOrDefault(t.ThreadId), t)).ToList();
        Modules = new ModuleSet(reader.ReadModules().Select((m, i) => new DumpModule(i, m.Name, m.Module.BaseOfImage, m.Module.SizeOfImage, m.BuildId)).ToList(), locator);
        Map = MemoryMap.Read(reader);
        if (systemInfo?.ProcessorArchitecture == ProcessorArchitecture.Amd64)
        {
            Architecture = Amd64Architecture.Instance;
            _walk = new WalkContext(new DumpMemory(reader), Modules, Map, Architecture, limits);
            var cfi = new CfiUnwinder();
            _walker = new StackWalker(_walk, [cfi, new FramePointerUnwinder(), new StackScanner(cfi)]);
        }
        else
        {
            WalkProblem = $"stack walking of {System.CpuArch} dumps is not supported yet (amd64 is)";
        }
        Crash = reader.ReadException() is { } e ? Classify(e) : null;
    }

    public static CrashDump Open(string path, ModuleFileLocator? locator = null, WalkLimits? limits = null)
    {
        var reader = MinidumpReader.Open(path);
        try
        {
            return new CrashDump(path, reader, locator ?? ModuleFileLocator.Default, limits ?? WalkLimits.Default);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// For SIGABRT, the text glibc left before aborting (a failed assertion, a malloc or fortify check), where the dump
    /// holds it (<see cref="Crash.AbortMessage"/>); else null.
    /// </summary>
    public string? AbortMessage
    {
        get
        {
            if (!_abortMessageRead)
            {
                _abortMessage = Crash is { Signal: 6 } ? Analysis.Crash.AbortMessage.Read(Modules, _walk?.Memory ?? new DumpMemory(_reader)) : null;
                _abortMessageRead = true;
            }
            return _abortMessage;
        }
    }
    private string? _abortMessage;
    private bool _abortMessageRead;

    /// <summary>The crashing thread (the exception's), or null for a dump without one.</summary>
    public DumpThread? CrashingThread => Crash is { } c ? Threads.FirstOrDefault(t => t.ThreadId == c.ThreadId) : null;

    /// <summary>The thread's registers at the dump: the exception's context for the crashing thread (the context at the fault).</summary>
    public RegisterSet? Registers(DumpThread thread)
    {
        if (Architecture is not Amd64Architecture amd64)
            return null;
        var location = Crash is { } c && c.ThreadId == thread.ThreadId && _reader.ReadException() is { } e ? e.ThreadContext : thread.Entry.ThreadContext;
        return amd64.FromContext(_reader.ReadContextAmd64(location));
    }

    public CallStack Walk(DumpThread thread)
    {
        if (_walker is null)
            return new CallStack([], WalkProblem ?? "no walker");
        RegisterSet? registers;
        try
        {
            registers = Registers(thread);
        }
        catch (MinidumpFormatException e)
        {
            return new CallStack([], $"the thread's context cannot be read: {e.Message}");
        }
        return registers is null ? new CallStack([], "no context") : _walker.Walk(registers);
    }

    private CrashInfo Classify(ExceptionStream e)
    {
        RegisterSet? registers = null;
        FaultingInstruction? instruction = null;
        if (Architecture is Amd64Architecture amd64 && e.ExceptionCode != ExceptionStream.DumpRequested)
        {
            try
            {
                registers = amd64.FromContext(_reader.ReadContextAmd64(e.ThreadContext));
                Span<byte> code = stackalloc byte[15];
                int n = _walk!.Memory.Read(registers.Pc, code);
                if (n < code.Length && Modules.Find(registers.Pc) is { } module)
                    n = Modules.Image(module).ReadCode(registers.Pc, code);
                instruction = FaultingInstruction.Decode(code[..n], registers.Pc, registers);
            }
            catch (MinidumpFormatException)
            {
                // The reason is then told from the exception stream alone.
            }
        }
        return CrashClassifier.Classify(e, registers, instruction, Map);
    }

    private static IReadOnlyDictionary<uint, string> ReadThreadNamesOrEmpty(MinidumpReader reader)
    {
        try
        {
            return reader.ReadThreadNames();
        }
        catch (MinidumpFormatException)
        {
            return new Dictionary<uint, string>();
        }
    }

    public void Dispose()
    {
        Modules.Dispose();
        _reader.Dispose();
    }
}
