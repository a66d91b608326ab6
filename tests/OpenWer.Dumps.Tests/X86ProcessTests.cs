using System.Globalization;
using OpenWer.Capture.Live;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Refilter;
using OpenWer.Dumps.Selection;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Contexts;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// A 32-bit (i386) process on x86_64 is dumped as x86: SystemInfo's PROCESSOR_ARCHITECTURE_INTEL, the 716-byte
/// x86 CONTEXT, ELF32 modules with their build-ids. Held to the kernel's view of the stopped threads
/// (/proc/PID/task/TID/syscall), readelf, and gdb on the live process, through lldb-16.
/// </summary>
public sealed class X86ProcessTests : IDisposable
{
    private static readonly string[] Registers = ["eip", "esp", "ebp", "ebx", "ecx", "edx", "esi", "edi"];
    private readonly TempDir _dir = new();
    private readonly NativeTarget _target = new(X86Fixture.TargetPath, ["--threads", "4", "--heap-mib", "0"]);

    public void Dispose()
    {
        _target.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(DumpType.Micro)]
    [InlineData(DumpType.Mini)]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void EachTypeIsAnX86DumpWithTheKernelsRegistersAndTheElf32BuildIds(DumpType type)
    {
        string dump = _dir.File($"{type}.dmp");
        var tasks = _target.TaskIds();
        Dictionary<int, Dictionary<string, ulong>> kernel;
        using (var capture = LiveProcessCapture.Capture(_target.Pid, new LiveCaptureOptions()))
        {
            // Read while every thread is stopped: the registers the kernel holds for it, independently of ptrace's regsets.
            kernel = tasks.ToDictionary(tid => tid, tid => KernelRegisters(_target.Pid, tid));
            var selection = DumpSelector.Select(capture.Snapshot, DumpTypeFlags.For(type), type == DumpType.Micro ? _target.Pid : null);
            using var file = File.Create(dump);
            MinidumpComposer.Write(capture.Snapshot, selection, file, DateTimeOffset.UtcNow);
        }
        _target.AssertAlive();
        var expectedThreads = type == DumpType.Micro ? [_target.Pid] : tasks;

        using (var reader = MinidumpReader.Open(dump))
        {
            Assert.Equal(ProcessorArchitecture.Intel, reader.ReadSystemInfo()!.Value.ProcessorArchitecture);
            Assert.All(reader.ReadThreads(), t => Assert.Equal((uint)ContextX86.Size, t.ThreadContext.DataSize));
            Assert.EndsWith("/target32", reader.ReadModules()[0].Name); // found through the 32-bit auxv's AT_ENTRY
        }

        string vdso = Directory.CreateDirectory(_dir.File($"vdso-{type}")).FullName;
        X86Fixture.SaveVdso(_target.Pid, vdso);
        string summary = X86Fixture.Lldb(dump, vdso, "thread list", "image list");
        Assert.Contains("(i386) was loaded", summary);
        Assert.Equal(expectedThreads, Lldb.ThreadIds(summary).Order());

        var registers = X86Fixture.LldbRegisters(dump, vdso, Registers);
        foreach (int tid in expectedThreads)
            foreach (var (name, value) in kernel[tid])
                Assert.True(value == registers[tid][name], $"thread {tid} {name}: the kernel has 0x{value:x}, lldb reads 0x{registers[tid][name]:x} from the dump");

        // Every module lldb lists carries the build-id readelf reads from the ELF32 file, the vDSO's from its image.
        var images = Lldb.Images(summary);
        Assert.Contains(images.Keys, p => p.EndsWith("/target32", StringComparison.Ordinal));
        Assert.Contains(images.Keys, p => p.Contains("/lib32/libc.so.6", StringComparison.Ordinal) || p.Contains("/i386-linux-gnu/libc.so.6", StringComparison.Ordinal));
        Assert.Contains(images.Keys, p => p.EndsWith("linux-gate.so", StringComparison.Ordinal));
        foreach (var (path, uuid) in images)
        {
            string? id = ReadElf.BuildId(path.StartsWith('/') ? path : Path.Combine(vdso, "linux-gate.so"));
            Assert.NotNull(id);
            Assert.Equal(id, uuid);
        }

        string? stack = Lldb.ReadMemoryAscii(dump, _target.Address("stack1"), 16);
        if (type == DumpType.Micro)
            Assert.Null(stack);
        else
            Assert.StartsWith("STACKMARK-1", stack);
        string? heap = Lldb.ReadMemoryAscii(dump, _target.Address("heap"), 16);
        if (type is DumpType.Heap or DumpType.Full)
            Assert.StartsWith(_target.Facts["heapmark"], heap);
        else
            Assert.Null(heap);
    }

    [Theory]
    [InlineData(DumpType.Micro)]
    [InlineData(DumpType.Mini)]
    [InlineData(DumpType.Full)]
    // FilterMemory keeps only the stack words a walk needs: 4-byte words in a 32-bit process.
    [InlineData(DumpType.Mini, true)]
    public void LldbWalksTheFramesGdbWalksOnTheLiveProcess(DumpType type, bool filterMemory = false)
    {
        string dump = _dir.File($"frames-{type}-{filterMemory}.dmp");
        var request = DumpRequest.ForType(_target.Pid, type, type == DumpType.Micro ? _target.Pid : null, dump);
        LiveDumper.Dump(filterMemory ? request with { Flags = request.Flags | Format.MinidumpType.FilterMemory } : request);
        string vdso = Directory.CreateDirectory(_dir.File("vdso")).FullName;
        X86Fixture.SaveVdso(_target.Pid, vdso);
        var ours = X86Fixture.LldbFrames(dump, vdso);

        // The main thread waits in fgets and the workers sleep 50 ms at a time in the same frames: gdb, attaching
        // afterwards, finds them where the dump did. The heartbeat thread wakes every millisecond and is left out.
        var gdb = X86Fixture.GdbThreads(_target.Pid);
        // The main thread's x87 control word and MXCSR, which gdb reads with ptrace: in FloatSave and in the FXSAVE image.
        var fpu = Tool.Run("gdb", ["-batch", "-p", _target.Pid.ToString(CultureInfo.InvariantCulture), "-ex", "p/x $fctrl", "-ex", "p/x $mxcsr"]);
        var fpuValues = System.Text.RegularExpressions.Regex.Matches(fpu.All, @"^\$\d+ = 0x([0-9a-f]+)$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => Convert.ToUInt32(m.Groups[1].Value, 16)).ToList();
        Assert.True(fpuValues.Count == 2, fpu.All);
        _target.AssertAlive();
        using (var reader = MinidumpReader.Open(dump))
        {
            var main = reader.ReadContextX86(reader.ReadThreads().Single(t => t.ThreadId == _target.Pid).ThreadContext);
            Assert.Equal(fpuValues[0], BitConverter.ToUInt32(main.FloatSave, 0) & 0xFFFF);
            Assert.Equal(fpuValues[1], BitConverter.ToUInt32(main.ExtendedRegisters, 24));
        }
        // An i386 thread's TLS segment (%gs) starts at its thread control block, which is its pthread_t: gdb's
        // libthread_db names every thread by it, and the dump's Teb holds it.
        using (var reader = MinidumpReader.Open(dump))
            foreach (var t in reader.ReadThreads())
                Assert.Equal(gdb[(int)t.ThreadId].PthreadSelf, t.Teb);
        int heartbeat = _target.TaskIds().Single(t => File.ReadAllText($"/proc/{_target.Pid}/task/{t}/comm").Trim() == "owr-heartbeat");
        var compared = type == DumpType.Micro ? [_target.Pid] : _target.TaskIds().Where(t => t != heartbeat).ToList();
        Assert.Equal(type == DumpType.Micro ? 1 : 3, compared.Count);
        foreach (int tid in compared)
        {
            // Out of __kernel_vsyscall, through libc, into target.c's own function (and on; gdb stops at main).
            var frames = gdb[tid].Frames;
            Assert.True(frames.Count >= 4, $"gdb walked only {frames.Count} frames of thread {tid}");
            Assert.Equal(frames, ours[tid].Take(frames.Count));
        }
    }

    [Fact]
    public void ARefilteredX86DumpStaysX86WithTheSameRegistersAndFrames()
    {
        string heap = _dir.File("heap.dmp"), mini = _dir.File("refiltered.dmp");
        LiveDumper.Dump(DumpRequest.ForType(_target.Pid, DumpType.Heap, null, heap));
        MinidumpRefilter.Derive(heap, mini, DumpTypeFlags.Mini);
        using (var reader = MinidumpReader.Open(mini))
        {
            Assert.Equal(ProcessorArchitecture.Intel, reader.ReadSystemInfo()!.Value.ProcessorArchitecture);
            Assert.All(reader.ReadThreads(), t => Assert.Equal((uint)ContextX86.Size, t.ThreadContext.DataSize));
            Assert.Empty(reader.ReadMemory64List().Ranges); // a mini dump: no bulk memory
        }
        string vdso = Directory.CreateDirectory(_dir.File("vdso")).FullName;
        X86Fixture.SaveVdso(_target.Pid, vdso);
        Assert.Equal(X86Fixture.LldbRegisters(heap, vdso, Registers), X86Fixture.LldbRegisters(mini, vdso, Registers));
        var before = X86Fixture.LldbFrames(heap, vdso);
        var after = X86Fixture.LldbFrames(mini, vdso);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (tid, frames) in before)
        {
            Assert.True(frames.Count >= 4, $"lldb walked only {frames.Count} frames of thread {tid} in the heap dump");
            Assert.Equal(frames, after[tid]);
        }
    }

    [Fact]
    public void TheLinkMapIsWrittenInThe32BitLayoutWithTheLibrariesProcMapsShows()
    {
        string dump = _dir.File("dso.dmp");
        LiveDumper.Dump(DumpRequest.ForType(_target.Pid, DumpType.Mini, null, dump));
        // Each library's offset-0 mapping, as /proc shows it: l_addr of a shared library is its load address.
        var bases = File.ReadLines($"/proc/{_target.Pid}/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 5 && f[2] == "00000000" && f[5].Contains(".so", StringComparison.Ordinal))
            .Select(f => (Start: Convert.ToUInt64(f[0][..f[0].IndexOf('-')], 16), Path: f[5].Trim())).ToList();
        using var reader = MinidumpReader.Open(dump);
        Assert.True(reader.TryFindStream(Format.StreamType.LinuxDsoDebug, out var location));
        var debug = reader.ReadDsoDebug()!;
        // MDRawDebug32 (24 bytes) + MDRawLinkMap32 (12 each) + the 8-byte Elf32_Dyn entries of the dynamic section.
        Assert.Equal((uint)(LinuxDsoDebug.Size32 + debug.DynamicSection.Length), location.DataSize);
        Assert.Equal(0, debug.DynamicSection.Length % 8);
        var libc = Assert.Single(debug.Objects, o => o.Name.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.Contains(bases, b => b.Start == libc.Entry.Address && b.Path.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.True(libc.Entry.Address < 1UL << 32 && debug.Debug.Dynamic < 1UL << 32 && debug.Debug.Dynamic != 0);
    }

    /// <summary>
    /// /proc/PID/task/TID/syscall of a stopped thread: "NR ebx ecx edx esi edi ebp sp pc" in a system call,
    /// "-1 sp pc" outside one.
    /// </summary>
    private static Dictionary<string, ulong> KernelRegisters(int pid, int tid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/task/{tid}/syscall").Trim().Split(' ');
        ulong Hex(string s) => Convert.ToUInt64(s, 16);
        var result = new Dictionary<string, ulong> { ["esp"] = Hex(fields[^2]), ["eip"] = Hex(fields[^1]) };
        if (fields.Length == 9 && int.Parse(fields[0], CultureInfo.InvariantCulture) >= 0)
        {
            string[] args = ["ebx", "ecx", "edx", "esi", "edi", "ebp"];
            for (int i = 0; i < args.Length; i++)
                result[args[i]] = Hex(fields[1 + i]);
        }
        return result;
    }
}
