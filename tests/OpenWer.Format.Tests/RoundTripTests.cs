using OpenWer.Format.Reading;
using OpenWer.Format.Streams;
using OpenWer.Format.Writing;

namespace OpenWer.Format.Tests;

/// <summary>What the builder writes, the reader reads back: every stream kind, memory in both lists.</summary>
public sealed class RoundTripTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"openwer-format-{Guid.NewGuid():N}.dmp");

    public void Dispose() => File.Delete(_path);

    private MinidumpReader Write(MinidumpBuilder b, IMemorySource memory, MinidumpType flags = MinidumpType.Normal, bool zeroFill = false)
    {
        using (var file = File.Create(_path))
            b.WriteTo(file, memory, flags, 1234, zeroFill);
        return MinidumpReader.Open(_path);
    }

    [Fact]
    public void EveryStreamReadsBack()
    {
        var stack = FakeMemory.Pattern(300, 1);
        var bulk = FakeMemory.Pattern(8192, 9);
        var memory = new FakeMemory().Add(0x7000, stack).Add(0x100000, bulk);
        var b = new MinidumpBuilder();
        int stackIndex = b.AddListedMemory(new MemoryRange(0x7000, 300));
        var ctx = new Contexts.ContextAmd64 { Rip = 0xdead, Rsp = 0x7000 };
        var ctxSpan = b.Reserve(ctx.EncodedSize, 16, out uint ctxRva);
        ctx.Write(ctxSpan);
        var ctxLoc = new LocationDescriptor((uint)ctx.EncodedSize, ctxRva);
        var threadSpan = b.Reserve(4 + MinidumpThread.Size, 8, out uint threadRva);
        BitConverter.TryWriteBytes(threadSpan, 1);
        new MinidumpThread(42, 0, 0, 0, 0xf5, new MemoryDescriptor(0x7000, new LocationDescriptor(300, 0)), ctxLoc).Write(threadSpan[4..]);
        b.PatchListedMemoryRva(threadRva + 4 + 24 + 12, stackIndex);
        b.AddStream(StreamType.ThreadList, new LocationDescriptor(4 + MinidumpThread.Size, threadRva));
        uint name = b.AppendString("/usr/lib/libé.so");
        var cv = CodeViewRecord.ForElfBuildId([1, 2, 3, 4, 5]);
        var cvLoc = new LocationDescriptor((uint)cv.Length, b.Append(cv));
        b.AddCountedList(StreamType.ModuleList, [new MinidumpModule(0x400000, 0x5000, 0, 0, name, cvLoc, default)], MinidumpModule.Size, (e, d) => e.Write(d));
        b.AddMemoryListStream();
        b.AddMemory64ListStream([new MemoryRange(0x100000, 8192)]);
        b.AddHeaderedList(StreamType.MemoryInfoList, [new MemoryInfo(0x100000, 0x100000, 4, 8192, MemoryInfo.StateCommit, 4, MemoryInfo.TypePrivate)],
            MemoryInfo.ListHeaderSize, MemoryInfo.Size, (e, d) => e.Write(d));
        b.AddHeaderedList(StreamType.ThreadInfoList, [new ThreadInfo(42, 0, 0, 0, 1, 0, 2, 3, 0, 0xff)], ThreadInfo.ListHeaderSize, ThreadInfo.Size, (e, d) => e.Write(d));
        b.AddCountedList(StreamType.ThreadNames, [new ThreadNameEntry(42, b.AppendString("worker"))], ThreadNameEntry.Size, (e, d) => e.Write(d));
        var ex = new ExceptionStream(42, 11, 1, 0, 0x10, [7, 8], ctxLoc);
        var exSpan = b.Reserve(ExceptionStream.Size, 8, out uint exRva);
        ex.Write(exSpan);
        b.AddStream(StreamType.Exception, new LocationDescriptor(ExceptionStream.Size, exRva));
        var misc = new byte[MiscInfo.Size];
        new MiscInfo(MiscInfoFlags.ProcessId, 777, 1, 2, 3).Write(misc);
        b.AddStream(StreamType.MiscInfo, misc);
        b.AddStream(StreamType.LinuxMaps, "00400000-00405000 r-xp 0 0:0 0 /x\n"u8);

        using var r = Write(b, memory, MinidumpType.WithFullMemory);
        Assert.Equal(MinidumpType.WithFullMemory, r.Header.Flags);
        Assert.Equal(1234u, r.Header.TimeDateStamp);
        var thread = Assert.Single(r.ReadThreads());
        Assert.Equal(42u, thread.ThreadId);
        Assert.Equal(0xf5UL, thread.Teb);
        Assert.Equal(stack, r.ReadAt(thread.Stack.Memory.Rva, thread.Stack.Memory.DataSize));
        Assert.Equal(0xdeadUL, r.ReadContextAmd64(thread.ThreadContext).Rip);
        var module = Assert.Single(r.ReadModules());
        Assert.Equal("/usr/lib/libé.so", module.Name);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, module.BuildId);
        var readBulk = new byte[8192];
        Assert.Equal(8192, r.ReadMemory(0x100000, readBulk));
        Assert.Equal(bulk, readBulk);
        Assert.Equal(0x100000UL, Assert.Single(r.ReadMemoryInfoList()).BaseAddress);
        Assert.Equal(0xffUL, Assert.Single(r.ReadThreadInfoList()).Affinity);
        Assert.Equal("worker", r.ReadThreadNames()[42]);
        var readEx = r.ReadException()!.Value;
        Assert.Equal((11u, 1u, 0x10UL), (readEx.ExceptionCode, readEx.ExceptionFlags, readEx.ExceptionAddress));
        Assert.Equal(new ulong[] { 7, 8 }, readEx.ExceptionInformation);
        Assert.Equal(777u, r.ReadMiscInfo()!.Value.ProcessId);
        Assert.StartsWith("00400000", System.Text.Encoding.ASCII.GetString(r.ReadStream(StreamType.LinuxMaps)!));
    }

    [Fact]
    public void ListSizesAreExact()
    {
        var b = new MinidumpBuilder();
        b.AddListedMemory(new MemoryRange(0x7000, 16));
        b.AddListedMemory(new MemoryRange(0x9000, 16));
        b.AddMemoryListStream();
        b.AddMemory64ListStream([new MemoryRange(0x100000, 16)]);
        using var r = Write(b, new FakeMemory().Add(0x7000, new byte[16]).Add(0x9000, new byte[16]).Add(0x100000, new byte[16]));
        Assert.True(r.TryFindStream(StreamType.MemoryList, out var list));
        Assert.Equal(4u + 2 * 16, list.DataSize);
        Assert.True(r.TryFindStream(StreamType.Memory64List, out var m64));
        Assert.Equal(16u + 16, m64.DataSize);
    }

    [Fact]
    public void DuplicateStreamTypesAreRefused()
    {
        var b = new MinidumpBuilder();
        b.AddStream(StreamType.LinuxMaps, "a"u8);
        Assert.Throws<InvalidOperationException>(() => b.AddStream(StreamType.LinuxMaps, "b"u8));
    }

    [Fact]
    public void UnreadableMemoryFailsTheWriteUnlessIgnoreInaccessibleMemory()
    {
        MinidumpBuilder Build()
        {
            var b = new MinidumpBuilder();
            b.AddMemory64ListStream([new MemoryRange(0x100000, 3 * 4096)]);
            return b;
        }
        // The middle page is a hole.
        var memory = new FakeMemory().Add(0x100000, FakeMemory.Pattern(4096, 1)).Add(0x102000, FakeMemory.Pattern(4096, 2));
        using (var file = File.Create(_path))
            Assert.Throws<UnreadableMemoryException>(() => Build().WriteTo(file, memory, MinidumpType.Normal, 0, zeroFillUnreadable: false));

        MinidumpWriteResult result;
        using (var file = File.Create(_path))
            result = Build().WriteTo(file, memory, MinidumpType.IgnoreInaccessibleMemory, 0, zeroFillUnreadable: true);
        Assert.Equal(new MemoryRange(0x101000, 4096), Assert.Single(result.UnreadableRanges));
        using var r = MinidumpReader.Open(_path);
        var page = new byte[4096];
        r.ReadMemory(0x101000, page);
        Assert.All(page, x => Assert.Equal(0, x));
        r.ReadMemory(0x102000, page);
        Assert.Equal(FakeMemory.Pattern(4096, 2), page);
    }
}
