using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// `wer dump` of a running native process in every type, read by Breakpad's processor: minidump_dump parses every
/// stream, the threads are /proc's tasks, the module ids are the files' own, and minidump_stackwalk walks each
/// thread through the fixture's call chain with the symbols and CFI its own dump_syms made of the binaries.
/// </summary>
public sealed class BreakpadLiveDumpTests : IDisposable
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
    public void BreakpadWalksEveryThreadThroughTheFixturesCallChain(DumpType type)
    {
        // The dump is for worker 1 (not the main thread, so the requesting thread's index means something).
        int worker = _target.Int("worker1");
        var tasks = _target.TaskIds();
        var names = tasks.ToDictionary(t => t, t => File.ReadAllText($"/proc/{_target.Pid}/task/{t}/comm").Trim());
        var blockedAt = tasks.Where(t => names[t] != "owr-heartbeat").ToDictionary(t => t, SyscallPc);
        string dump = _dir.File($"{type}.dmp");
        LiveDumper.Dump(DumpRequest.ForType(_target.Pid, type, worker, dump));
        _target.AssertAlive();

        var (listing, walk) = BreakpadChecks.Read(dump, _dir.File("symbols"));
        Assert.Equal(_target.Pid, listing.ProcessId);
        Assert.Equal(type == DumpType.Micro ? [worker] : tasks, listing.ThreadIds.Order());
        Assert.Equal(worker, listing.ExceptionThreadId);
        Assert.Equal("DUMP_REQUESTED", walk.Reason);
        Assert.Equal(listing.ThreadIds.ToList().IndexOf(worker), walk.Thread);

        var main = Assert.Single(walk.Modules, m => m.Main);
        Assert.Equal(Path.GetFileName(NativeTarget.BinaryPath), main.CodeFile);
        Assert.Contains(listing.Modules, m => m.CodeFile == NativeTarget.BinaryPath);

        // target.c: main serves commands, the heartbeat thread sleeps in heartbeat, workers in worker_nap.
        for (int i = 0; i < listing.ThreadIds.Count; i++)
        {
            int tid = listing.ThreadIds[i];
            string[] expected = tid == _target.Pid ? ["serve_commands", "main"]
                : names[tid] == "owr-heartbeat" ? ["heartbeat"]
                : ["worker_nap", "worker_idle", "worker"];
            Assert.Equal(expected, BreakpadChecks.WalkedFunctions(walk, i, main.CodeFile));
            // Main and the workers stay blocked in the same system call (workers wake for a moment every 50 ms and
            // block again at the same place): frame 0 is where the kernel says they are blocked. The heartbeat
            // thread is awake too often to hold it to that.
            if (names[tid] != "owr-heartbeat")
                Assert.Equal(blockedAt[tid], walk.Threads[i][0].Rip);
        }
    }

    /// <summary>The user-space pc of a thread blocked in a system call, from /proc/PID/task/TID/syscall (its last field).</summary>
    private ulong SyscallPc(int tid)
    {
        // A worker is awake for a moment every 50 ms ("running"): ask again.
        string[] fields = [];
        for (int attempt = 0; attempt < 100 && fields.Length != 9; attempt++, Thread.Sleep(1))
            fields = File.ReadAllText($"/proc/{_target.Pid}/task/{tid}/syscall").Trim().Split(' ');
        Assert.True(fields.Length == 9, $"thread {tid} is not blocked in a system call: {string.Join(' ', fields)}");
        return Convert.ToUInt64(fields[8], 16);
    }
}
