using OpenWer.Snapshot;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Refilter;
using OpenWer.Dumps.Selection;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format;
using OpenWer.Format.Reading;

namespace OpenWer.Dumps.Tests;

/// <summary>A dump read back as a snapshot and written again (the heap-to-mini re-filter) keeps what it held.</summary>
public sealed class RefilterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ThreadAndProcessTimesSurviveARefilter()
    {
        using var target = new NativeTarget(threads: 3);
        string heap = _dir.File("heap.dmp"), again = _dir.File("again.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, DumpType.Heap, null, heap));
        MinidumpRefilter.Derive(heap, again, DumpTypeFlags.Heap);
        using var a = MinidumpReader.Open(heap);
        using var b = MinidumpReader.Open(again);
        var before = a.ReadThreadInfoList().OrderBy(t => t.ThreadId).Select(t => (t.ThreadId, t.CreateTime, t.UserTime, t.KernelTime)).ToList();
        var after = b.ReadThreadInfoList().OrderBy(t => t.ThreadId).Select(t => (t.ThreadId, t.CreateTime, t.UserTime, t.KernelTime)).ToList();
        Assert.Equal(target.TaskIds().Count(), before.Count);
        Assert.Equal(before, after);
        var (ma, mb) = (a.ReadMiscInfo()!.Value, b.ReadMiscInfo()!.Value);
        Assert.Equal((ma.ProcessCreateTime, ma.ProcessUserTime, ma.ProcessKernelTime), (mb.ProcessCreateTime, mb.ProcessUserTime, mb.ProcessKernelTime));
        // The link_map chain too: libc is in it, at the address /proc/PID/maps shows its offset-0 mapping at.
        var (da, db) = (a.ReadDsoDebug()!, b.ReadDsoDebug()!);
        ulong libc = File.ReadLines($"/proc/{target.Pid}/maps").Where(l => l.EndsWith("/libc.so.6", StringComparison.Ordinal)
            && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2] == "00000000").Select(l => Convert.ToUInt64(l[..l.IndexOf('-')], 16)).First();
        Assert.Contains(da.Objects, o => o.Name.EndsWith("/libc.so.6", StringComparison.Ordinal) && o.Entry.Address == libc);
        Assert.Equal(da.Objects.Select(o => (o.Entry.Address, o.Name, o.Entry.Dynamic)), db.Objects.Select(o => (o.Entry.Address, o.Name, o.Entry.Dynamic)));
        Assert.Equal((da.Debug.Brk, da.Debug.LdBase, da.Debug.Dynamic), (db.Debug.Brk, db.Debug.LdBase, db.Debug.Dynamic));
        Assert.Equal(da.DynamicSection, db.DynamicSection);
    }

    [Fact]
    public void ComposingDoesNotChangeTheSnapshot()
    {
        using var target = new NativeTarget(threads: 1);
        string avx = _dir.File("avx.dmp");
        LiveDumper.Dump(new DumpRequest(target.Pid, DumpTypeFlags.Mini | MinidumpType.WithAvxXStateContext, null, false, avx));
        using var dump = MinidumpReader.Open(avx);
        var snapshot = MinidumpSnapshot.Read(dump);
        Assert.All(snapshot.Threads, t => Assert.NotNull(Assert.IsType<Amd64Context>(t.Context).Registers.YmmHigh));
        // A selection without AVX state first, then one with it, from the same snapshot.
        using (var s = File.Create(_dir.File("plain.dmp")))
            MinidumpComposer.Write(snapshot, DumpSelector.Select(snapshot, DumpTypeFlags.Mini), s, DateTimeOffset.UtcNow);
        Assert.All(snapshot.Threads, t => Assert.NotNull(Assert.IsType<Amd64Context>(t.Context).Registers.YmmHigh));
        using (var s = File.Create(_dir.File("with.dmp")))
            MinidumpComposer.Write(snapshot, DumpSelector.Select(snapshot, DumpTypeFlags.Mini | MinidumpType.WithAvxXStateContext), s, DateTimeOffset.UtcNow);
        using var with = MinidumpReader.Open(_dir.File("with.dmp"));
        Assert.All(with.ReadThreads(), t => Assert.Equal((uint)Format.Contexts.ContextAmd64.SizeWithXState, t.ThreadContext.DataSize));
    }
}
