using OpenWer.Snapshot;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Selection;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format;
using OpenWer.Format.Reading;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// The rules of docs/minidump-type-flags.md, one test each, on a made-up snapshot: no process, no ptrace, no root, no
/// compiler. (FlagEffectTests holds the same rules against a real process.)
/// </summary>
public sealed class SelectionRuleTests : IDisposable
{
    private const ulong Code = 0x400000, Data = 0x402000, Bss = 0x403000, Heap = 0x10000000, Stack = 0x7ff000000000, FileMap = 0x20000000;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ProcessSnapshot Process() => new SnapshotBuilder()
        .Map(Code, 0x2000, "r-xp", "/bin/made-up", 0xC0, inode: 7)
        .Map(Data, 0x1000, "rw-p", "/bin/made-up", 0xDA, inode: 7)
        .Map(Bss, 0x1000, "rw-p", "", 0xB5)
        .Map(Heap, 0x4000, "rw-p", "[heap]", 0x4E)
        .Map(FileMap, 0x1000, "rw-p", "/var/lib/made-up.db", 0xF1, inode: 9)
        .Map(Stack, 0x10000, "rw-p", "[stack]", 0x5A)
        .Thread(4242, Stack + 0xF000)
        .Module("/bin/made-up", Code, Code + 0x2000, new ModuleSegment(Code, Code + 0x2000, false, true), new ModuleSegment(Data, Bss + 0x1000, true, false))
        .Environment("SECRET=1\0")
        .Build();

    private MinidumpReader Write(MinidumpType flags)
    {
        var snapshot = Process();
        string path = _dir.File($"{(uint)flags:x}.dmp");
        using (var file = File.Create(path))
            MinidumpComposer.Write(snapshot, DumpSelector.Select(snapshot, flags), file, DateTimeOffset.UnixEpoch);
        return MinidumpReader.Open(path);
    }

    private static byte At(MinidumpReader r, ulong address)
    {
        var b = new byte[1];
        return r.ReadMemory(address, b) == 1 ? b[0] : (byte)0;
    }

    [Fact]
    public void AlwaysTheStackFromBelowTheStackPointerToTheTopOfItsMappingAndNothingElse()
    {
        using var r = Write(MinidumpType.Normal);
        var stack = Assert.Single(r.ReadMemoryList());
        // 128 bytes below the stack pointer (the red zone) to the top of its mapping.
        Assert.Equal(Stack + 0xF000 - 128, stack.StartOfMemoryRange);
        Assert.Equal(0x1000u + 128, stack.Memory.DataSize);
        Assert.Equal(0x5A, At(r, Stack + 0xFFFF));
        Assert.Empty(r.ReadMemory64List().Ranges);
        Assert.Equal((byte)0, At(r, Heap));
    }

    [Theory]
    [InlineData(0x8UL, true, true)]        // in the kernel's gap below [stack]
    [InlineData(0x800UL, false, true)]     // in a thread's PROT_NONE guard page
    [InlineData(0x200000UL, true, false)]  // 2 MiB below: no stack of this thread's
    public void AnOverflowedStackPointerInTheGuardTakesTheStackAboveIt(ulong below, bool gap, bool taken)
    {
        const ulong Guard = Stack - 0x1000;
        var builder = new SnapshotBuilder()
            .Map(Code, 0x2000, "r-xp", "/bin/made-up", 0xC0, inode: 7)
            .Map(Stack, 0x10000, "rw-p", gap ? "[stack]" : "", 0x5A);
        if (!gap)
            builder.Map(Guard, 0x1000, "---p", "", 0);
        var snapshot = builder.Thread(4242, Stack - below).Build();
        string path = _dir.File("overflow.dmp");
        using (var file = File.Create(path))
            MinidumpComposer.Write(snapshot, DumpSelector.Select(snapshot, MinidumpType.Normal), file, DateTimeOffset.UnixEpoch);
        using var r = MinidumpReader.Open(path);
        var thread = Assert.Single(r.ReadThreads());
        if (!taken)
        {
            Assert.Empty(r.ReadMemoryList());
            return;
        }
        // The whole stack mapping above the guard, and the thread's stack descriptor points at it.
        var stack = Assert.Single(r.ReadMemoryList());
        Assert.Equal((Stack, 0x10000u), (stack.StartOfMemoryRange, stack.Memory.DataSize));
        Assert.Equal(Stack, thread.Stack.StartOfMemoryRange);
        Assert.Equal(0x5A, At(r, Stack + 0x10));
    }

    [Fact]
    public void WithDataSegsAddsTheModulesWritableSegmentsOnly()
    {
        using var r = Write(MinidumpType.WithDataSegs);
        Assert.Equal(0xDA, At(r, Data));
        Assert.Equal(0xB5, At(r, Bss + 0xFFF));
        Assert.Equal((byte)0, At(r, Code));
        Assert.Equal((byte)0, At(r, Heap));
    }

    [Fact]
    public void WithPrivateReadWriteMemoryAddsAnonymousWritableMemoryButNotPrivateFileMappings()
    {
        using var r = Write(MinidumpType.WithPrivateReadWriteMemory);
        Assert.Equal(0x4E, At(r, Heap + 0x3FFF));
        Assert.Equal((byte)0, At(r, FileMap));
        using var cow = Write(MinidumpType.WithPrivateReadWriteMemory | MinidumpType.WithPrivateWriteCopyMemory);
        Assert.Equal(0xF1, At(cow, FileMap));
    }

    [Fact]
    public void WithFullMemoryHoldsEveryReadableByteOnceInDisjointLists()
    {
        using var r = Write(MinidumpType.WithFullMemory);
        foreach (var (address, fill) in new[] { (Code, 0xC0), (Data, 0xDA), (Heap, 0x4E), (FileMap, 0xF1), (Stack, 0x5A) })
            Assert.Equal((byte)fill, At(r, address));
        var listed = r.ReadMemoryList().Select(d => new MemoryRange(d.StartOfMemoryRange, d.Memory.DataSize)).ToList();
        var bulk = r.ReadMemory64List().Ranges.Select(x => new MemoryRange(x.StartOfMemoryRange, x.DataSize)).ToList();
        Assert.All(listed, l => Assert.DoesNotContain(bulk, b => b.Start < l.Start + l.Size && l.Start < b.Start + b.Size));
    }

    [Fact]
    public void WithoutOptionalDataAndFilterTriageLeaveOutTheEnvironment()
    {
        using (var all = Write(MinidumpType.WithProcessThreadData))
            Assert.Equal("SECRET=1\0"u8.ToArray(), all.ReadStream(StreamType.LinuxEnviron));
        using (var r = Write(MinidumpType.WithProcessThreadData | MinidumpType.WithoutOptionalData))
            Assert.Null(r.ReadStream(StreamType.LinuxEnviron));
        using (var r = Write(MinidumpType.WithProcessThreadData | MinidumpType.FilterTriage))
            Assert.Null(r.ReadStream(StreamType.LinuxEnviron));
    }

    [Fact]
    public void WithFullMemoryInfoListsEveryMappingOnceWithItsImage()
    {
        using var r = Write(MinidumpType.WithFullMemoryInfo);
        var infos = r.ReadMemoryInfoList();
        Assert.Equal([Code, Data, Bss, Heap, FileMap, Stack], infos.Select(i => i.BaseAddress));
        // The module's file mappings and its .bss are its image; the heap and the other file are not.
        Assert.Equal([true, true, true, false, false, false], infos.Select(i => i.Type == Format.Streams.MemoryInfo.TypeImage && i.AllocationBase == Code));
    }

    [Fact]
    public void WithoutTokenInformationTheCredentialLinesAreRemoved()
    {
        using (var r = Write(MinidumpType.Normal))
            Assert.DoesNotContain("Uid:", System.Text.Encoding.UTF8.GetString(r.ReadStream(StreamType.LinuxProcStatus)!));
        using (var r = Write(MinidumpType.WithTokenInformation))
            Assert.Contains("Uid:", System.Text.Encoding.UTF8.GetString(r.ReadStream(StreamType.LinuxProcStatus)!));
    }
}
