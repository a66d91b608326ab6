using System.Runtime.InteropServices;
using OpenWer.Capture.Elf;
using OpenWer.Capture.Proc;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Live;

/// <summary>
/// A snapshot of a live process, taken with every thread stopped; the process stays stopped, so that memory read
/// later matches the registers, until this is disposed.
/// </summary>
public sealed class LiveProcessCapture : ISnapshotSource
{
    private readonly PtraceThread _ptrace;
    private readonly TracedProcess _traced;
    private readonly ProcessMemory _memory;
    private readonly ProcDirectory _proc;

    public ProcessSnapshot Snapshot { get; }

    private LiveProcessCapture(PtraceThread ptrace, TracedProcess traced, ProcessMemory memory, ProcDirectory proc, ProcessSnapshot snapshot)
    {
        _ptrace = ptrace;
        _traced = traced;
        _memory = memory;
        _proc = proc;
        Snapshot = snapshot;
    }

    public static LiveProcessCapture Capture(int pid, LiveCaptureOptions options)
    {
        var ptrace = new PtraceThread();
        TracedProcess? traced = null;
        ProcessMemory? memory = null;
        ProcDirectory? proc = null;
        try
        {
            traced = TracedProcess.Attach(pid, ptrace);
            // Opened once attached: the traced process cannot be reaped, so this is its directory.
            proc = ProcDirectory.Open(pid);
            memory = new ProcessMemory(pid);
            var snapshot = Read(proc, traced.ThreadIds, tid => traced.ReadRegisters(tid, options.WithAvxState),
                memory, options.RequestingThreadId ?? pid, options.Exception);
            return new LiveProcessCapture(ptrace, traced, memory, proc, snapshot);
        }
        catch
        {
            proc?.Dispose();
            memory?.Dispose();
            traced?.Dispose();
            ptrace.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the snapshot of a process whose threads are all stopped: registers through <paramref name="registers"/>
    /// (null for a thread that vanished), everything else from /proc. With no <paramref name="exception"/>, the dump is
    /// a requested one, for thread <paramref name="requester"/>. Every /proc file is read through <paramref name="directory"/>.
    /// </summary>
    internal static ProcessSnapshot Read(ProcDirectory directory, IReadOnlyList<int> threadIds, Func<int, ThreadRegistersRead?> registers,
        ProcessMemory memory, int requester, ExceptionSnapshot? exception)
    {
        int pid = directory.Pid;
        string proc = directory.Path;
        var threads = new List<ThreadSnapshot>();
        foreach (int tid in threadIds)
        {
            string task = $"{proc}/task/{tid}";
            var times = ReadTimes(task);
            string name = ProcFiles.ReadText($"{task}/comm").TrimEnd('\n');
            if (registers(tid) is { } r)
                threads.Add(new ThreadSnapshot(tid, name, r.Context, r.ThreadPointer, times));
        }
        if (threads.Count == 0)
            throw new ProcessExitedException(pid);
        // The process's architecture is its threads' (a 32-bit process: x86 contexts, 32-bit auxv, SystemInfo's
        // PROCESSOR_ARCHITECTURE_INTEL), decided here once for the whole snapshot.
        var architecture = threads[0].Context.Architecture;
        if (threads.Any(t => t.Context.Architecture != architecture))
            throw new CaptureException($"process {pid} has both 32-bit and 64-bit threads; such a process cannot be written as one dump");
        bool x86 = architecture == Format.Streams.ProcessorArchitecture.Intel;
        if (!x86 && IsX32(directory))
            throw new CaptureException($"process {pid} is an x32 program (64-bit registers, 32-bit pointers and auxv), which cannot be dumped");

        var files = new ProcessFiles(
            directory.ReadBytes("status", ArgumentsLimit), directory.ReadBytes("cmdline", ArgumentsLimit), directory.ReadBytes("environ", ArgumentsLimit),
            directory.ReadBytes("auxv", ArgumentsLimit), directory.ReadBytes("maps"), ProcFiles.ReadBytes("/proc/cpuinfo"),
            File.Exists("/etc/lsb-release") ? ProcFiles.ReadBytes("/etc/lsb-release") : ProcFiles.ReadBytes("/etc/os-release"));
        if (files.Maps.Length == 0)
            throw new ProcessExitedException(pid);
        var mappings = ProcMaps.Parse(System.Text.Encoding.UTF8.GetString(files.Maps))
            .Select(m => m.IsFileBacked && !m.IsAnonymous && !m.Path.StartsWith("/dev/", StringComparison.Ordinal) ? m with { FileSize = MappedFileSize(directory, m) } : m).ToList();
        var modules = ModuleScanner.Scan(directory, mappings, memory, files.Auxv, x86 ? 4 : 8);
        string exe = ReadLink($"{proc}/exe") ?? modules.FirstOrDefault()?.Path ?? "";

        if (exception is null)
        {
            var requesting = threads.FirstOrDefault(t => t.ThreadId == requester)
                ?? throw new ThreadNotFoundException(requester, pid, threads.Select(t => t.ThreadId));
            exception = new ExceptionSnapshot(requesting.ThreadId, ExceptionSnapshot.DumpRequested, 0, requesting.InstructionPointer, []);
        }

        var system = SystemFactsReader.Read() with { Architecture = architecture };
        return new ProcessSnapshot(pid, exe, threads, modules, mappings, ReadHandles(proc), files, system,
            ReadTimes(proc), exception, memory)
        {
            DynamicLinker = DynamicLinkerReader.Read(memory, ModuleScanner.ParseAuxv(files.Auxv, x86 ? 4 : 8), wordSize: x86 ? 4 : 8),
            NotableMemory = x86 ? [] : AbortMessageMemory.Locate(directory, mappings, modules, memory),
        };
    }

    /// <summary>Whether the executable is ELFCLASS32 for EM_X86_64 (the x32 ABI), read from its ELF header.</summary>
    private static bool IsX32(ProcDirectory directory)
    {
        var header = directory.ReadBytes("exe", 20);
        return header.Length == 20 && Elf.ElfImage.HasElfMagic(header) && header[4] == 1
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18)) == Elf.ElfImage.EM_X86_64;
    }

    /// <summary>cmdline and environ are ranges of the process's memory it may set itself (PR_SET_MM_MAP): read a bounded part.</summary>
    private const int ArgumentsLimit = 1 << 20;

    /// <summary>Descriptors listed at most (a process may hold a million); the lowest-numbered come first in /proc.</summary>
    private const int MaxHandles = 16384;

    /// <summary>The size of the file behind a mapping, through map_files (the mapped file itself, even if deleted or replaced).</summary>
    private static ulong? MappedFileSize(ProcDirectory directory, Mapping m)
    {
        try
        {
            // Opening the map_files link opens the mapped file itself, not whatever now has its name.
            using var file = directory.OpenFile($"map_files/{m.Start:x}-{m.End:x}");
            return (ulong)RandomAccess.GetLength(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ThreadTimes ReadTimes(string dir)
    {
        try
        {
            var stat = ProcStat.Parse(ProcFiles.ReadText($"{dir}/stat"));
            ulong affinity = ProcFiles.ParseCpuMask(ProcFiles.StatusValue(ProcFiles.ReadText($"{dir}/status"), "Cpus_allowed"));
            return new ThreadTimes(stat.UserTicks, stat.SystemTicks, stat.StartTicks, affinity);
        }
        catch (FormatException)
        {
            return default;
        }
    }

    private static List<OpenHandle> ReadHandles(string proc)
    {
        var handles = new List<OpenHandle>();
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries($"{proc}/fd"))
            {
                if (handles.Count >= MaxHandles)
                    break;
                if (!int.TryParse(Path.GetFileName(entry), out int fd) || ReadLink(entry) is not { } target)
                    continue;
                string type = target switch
                {
                    _ when target.StartsWith("socket:", StringComparison.Ordinal) => "Socket",
                    _ when target.StartsWith("pipe:", StringComparison.Ordinal) => "Pipe",
                    _ when target.StartsWith("anon_inode:", StringComparison.Ordinal) => "AnonInode",
                    _ when target.StartsWith("/dev/", StringComparison.Ordinal) => "Device",
                    _ => "File",
                };
                handles.Add(new OpenHandle(fd, type, target));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No fd list (the process exited or hides it): the dump goes on without handles.
        }
        return [.. handles.OrderBy(h => h.Descriptor)];
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _memory.Dispose();
        _traced.Dispose();
        _ptrace.Dispose();
    }
}
