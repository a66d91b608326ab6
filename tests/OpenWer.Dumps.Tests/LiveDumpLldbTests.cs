using OpenWer.Capture.Live;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Selection;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>Dumps of a live native process in every type, checked with lldb-16, readelf, gdb and /proc.</summary>
public sealed class LiveDumpLldbTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly NativeTarget _target = new(threads: 6);

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
    public void LldbSeesThreadsRegistersModulesAndMemoryAsPtraceDid(DumpType type)
    {
        string dump = _dir.File($"{type}.dmp");
        var tasks = _target.TaskIds();
        Dictionary<int, (ulong Rip, ulong Rsp)> seen;
        using (var capture = LiveProcessCapture.Capture(_target.Pid, new LiveCaptureOptions()))
        {
            seen = capture.Snapshot.Threads.ToDictionary(t => t.ThreadId, t => (t.InstructionPointer, t.StackPointer));
            var selection = DumpSelector.Select(capture.Snapshot, DumpTypeFlags.For(type), type == DumpType.Micro ? _target.Pid : null);
            using var file = File.Create(dump);
            MinidumpComposer.Write(capture.Snapshot, selection, file, DateTimeOffset.UtcNow);
        }
        _target.AssertAlive();
        Assert.Equal(tasks, seen.Keys.Order());

        string summary = Lldb.Run(dump, "thread list", "image list");
        var threads = Lldb.ThreadIds(summary);
        var expectedThreads = type == DumpType.Micro ? [_target.Pid] : tasks;
        Assert.Equal(expectedThreads, threads.Order());

        var registers = Lldb.Registers(dump, threads);
        foreach (int tid in expectedThreads)
            Assert.Equal(seen[tid], registers[tid]);

        // Every ELF module lldb lists carries the build-id readelf reads from the file.
        var images = Lldb.Images(summary);
        Assert.Contains(images.Keys, p => p.EndsWith("/target", StringComparison.Ordinal));
        Assert.Contains(images.Keys, p => p.Contains("libc.so.6", StringComparison.Ordinal));
        foreach (var (path, uuid) in images.Where(i => i.Key.StartsWith('/')))
            Assert.Equal(ReadElf.BuildId(path), uuid);

        // The main thread's stack is readable in every type; a worker's stack in all but micro.
        Assert.NotNull(Lldb.ReadMemoryAscii(dump, seen[_target.Pid].Rsp, 16));
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

    [Fact]
    public void SleepingThreadsHaveTheRegistersGdbSeesAfterTheDump()
    {
        string dump = _dir.File("mini.dmp");
        LiveDumper.Dump(DumpRequest.ForType(_target.Pid, DumpType.Mini, null, dump));
        var fromDump = Lldb.Registers(dump, Lldb.ThreadIds(Lldb.Run(dump, "thread list")));

        // Workers sleep 50 ms at a time in the same frame: gdb, attaching afterwards, finds them where we did.
        var gdb = Tool.Run("gdb", ["-batch", "-p", _target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-ex", "thread apply all printf \"rip %lx rsp %lx\\n\", $rip, $rsp"]);
        _target.AssertAlive();
        int worker = _target.Int("worker1");
        var line = gdb.All.Split('\n').FirstOrDefault(l => l.Contains($"(LWP {worker})", StringComparison.Ordinal));
        Assert.NotNull(line);
        var ripRsp = System.Text.RegularExpressions.Regex.Match(gdb.All[gdb.All.IndexOf(line, StringComparison.Ordinal)..], @"rip ([0-9a-f]+) rsp ([0-9a-f]+)");
        Assert.True(ripRsp.Success, gdb.All);
        Assert.Equal(Convert.ToUInt64(ripRsp.Groups[1].Value, 16), fromDump[worker].Rip);
        Assert.Equal(Convert.ToUInt64(ripRsp.Groups[2].Value, 16), fromDump[worker].Rsp);
    }
}
