using OpenWer.Snapshot;
using OpenWer.Format.Contexts;
using OpenWer.Format.Streams;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// A process made up in memory, for testing selection and composition without a process, ptrace, root or a compiler:
/// mappings with known bytes (each page filled with a byte of its own), threads with a stack pointer, modules with
/// segments. Every address the tests look for is one this builder was given.
/// </summary>
public sealed class SnapshotBuilder
{
    private readonly List<Mapping> _mappings = [];
    private readonly List<ThreadSnapshot> _threads = [];
    private readonly List<ModuleSnapshot> _modules = [];
    private readonly Dictionary<ulong, byte> _fill = [];
    private byte[] _environment = "HOME=/root\0"u8.ToArray();
    private ProcessorArchitecture _architecture = ProcessorArchitecture.Amd64;

    public const int Pid = 4242;

    /// <summary>A mapping; its bytes are <paramref name="fill"/> throughout.</summary>
    public SnapshotBuilder Map(ulong start, ulong size, string perms, string path = "", byte fill = 0xAB, ulong inode = 0)
    {
        _mappings.Add(new Mapping(start, start + size, perms[0] == 'r', perms[1] == 'w', perms[2] == 'x', perms[3] == 's', 0,
            inode == 0 ? "00:00" : "08:01", inode, path));
        _fill[start] = fill;
        return this;
    }

    /// <summary>The process's architecture (AMD64 unless told): the threads added after this get its context.</summary>
    public SnapshotBuilder Architecture(ProcessorArchitecture architecture)
    {
        _architecture = architecture;
        return this;
    }

    /// <summary>A thread whose stack pointer is <paramref name="sp"/> (inside a mapping given with <see cref="Map"/>).</summary>
    public SnapshotBuilder Thread(int tid, ulong sp, ulong ip = 0x401000)
    {
        CpuContext context = _architecture switch
        {
            ProcessorArchitecture.Arm64 => new Arm64Context(new ContextArm64 { Sp = sp, Pc = ip, Lr = ip + 4 }),
            ProcessorArchitecture.Intel => new X86Context(new ContextX86 { Esp = (uint)sp, Eip = (uint)ip }),
            _ => new Amd64Context(new ContextAmd64 { Rsp = sp, Rip = ip }),
        };
        _threads.Add(new ThreadSnapshot(tid, $"t{tid}", context, 0, default));
        return this;
    }

    /// <summary>An ELF module at <paramref name="start"/> whose segments are the given mappings (already added).</summary>
    public SnapshotBuilder Module(string path, ulong start, ulong codeEnd, params ModuleSegment[] segments)
    {
        _modules.Add(new ModuleSnapshot(path, path, start, codeEnd - start, [1, 2, 3, 4], ModuleKind.Elf, 0, segments));
        return this;
    }

    public SnapshotBuilder Environment(string text)
    {
        _environment = System.Text.Encoding.UTF8.GetBytes(text);
        return this;
    }

    public ProcessSnapshot Build()
    {
        var mappings = _mappings.OrderBy(m => m.Start).ToList();
        var maps = System.Text.Encoding.UTF8.GetBytes(string.Concat(mappings.Select(m =>
            $"{m.Start:x}-{m.End:x} {m.Permissions} 00000000 {m.Device} {m.Inode} {m.Path}\n")));
        var files = new ProcessFiles("Name:\tmade-up\nPid:\t4242\nUid:\t0\t0\t0\t0\n"u8.ToArray(), "made-up\0"u8.ToArray(), _environment,
            [], maps, "processor\t: 0\n"u8.ToArray(), "DISTRIB_ID=Test\n"u8.ToArray());
        var system = new SystemFacts(_architecture, 1, 6, 0, 6, 18, 0, "Linux test", [0, 0, 0], 0, 0, 1_700_000_000, 100);
        var exception = new ExceptionSnapshot(_threads[0].ThreadId, ExceptionSnapshot.DumpRequested, 0, _threads[0].InstructionPointer, []);
        return new ProcessSnapshot(Pid, "/bin/made-up", _threads, _modules, mappings, [], files, system, default, exception,
            new FilledMemory(mappings, _fill));
    }

    /// <summary>Memory inside the mappings reads as each mapping's fill byte; outside them nothing is read.</summary>
    private sealed class FilledMemory(IReadOnlyList<Mapping> mappings, IReadOnlyDictionary<ulong, byte> fill) : IMemorySource
    {
        // As process_vm_readv does, a read runs on across adjacent mappings and stops at the first gap.
        public int Read(ulong address, Span<byte> destination)
        {
            int done = 0;
            while (done < destination.Length && mappings.FirstOrDefault(x => x.Contains(address + (ulong)done)) is { } m)
            {
                int n = (int)Math.Min((ulong)(destination.Length - done), m.End - (address + (ulong)done));
                destination.Slice(done, n).Fill(fill[m.Start]);
                done += n;
            }
            return done;
        }
    }
}
