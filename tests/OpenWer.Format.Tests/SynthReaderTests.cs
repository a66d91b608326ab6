using OpenWer.Format.Reading;
using OpenWer.Format.Tests.Synth;

namespace OpenWer.Format.Tests;

/// <summary>
/// The reader against minidumps made byte by byte (SynthMinidump), not by our writer: what a well-formed dump says is
/// read back as it was put, and a dump that lies is refused with a message that says where.
/// </summary>
public sealed class SynthReaderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"openwer-synth-{Guid.NewGuid():N}.dmp");

    public void Dispose() => File.Delete(_path);

    private MinidumpReader Open(byte[] bytes)
    {
        File.WriteAllBytes(_path, bytes);
        return MinidumpReader.Open(_path);
    }

    private string Refused(byte[] bytes, Action<MinidumpReader> use)
    {
        using var r = Open(bytes);
        return Assert.Throws<MinidumpFormatException>(() => use(r)).Message;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)] // Breakpad's padding after the count
    public void ThreadsAndTheirStacksReadAsPut(int padding)
    {
        var s = new SynthMinidump();
        uint stack1 = s.Bytes([1, 2, 3, 4, 5, 6, 7, 8]), stack2 = s.Bytes([9, 9, 9, 9]);
        uint context = s.Bytes(new byte[16]);
        s.ThreadList([new(101, 0x7000, 0x10000, 8, stack1, 16, context), new(102, 0x8000, 0x20000, 4, stack2, 16, context)], padding);
        using var r = Open(s.Build());
        var threads = r.ReadThreads();
        Assert.Equal([(101u, 0x7000UL, 0x10000UL, 8u), (102u, 0x8000UL, 0x20000UL, 4u)],
            threads.Select(t => (t.ThreadId, t.Teb, t.Stack.StartOfMemoryRange, t.Stack.Memory.DataSize)));
        Assert.Equal((16u, context), (threads[0].ThreadContext.DataSize, threads[0].ThreadContext.Rva));
    }

    [Fact]
    public void AThreadListWithPaddingOtherThanBreakpadsIsRefused()
    {
        var s = new SynthMinidump();
        s.ThreadList([new(1, 0, 0, 0, 0, 0, 0)], padding: 2);
        Assert.Contains("1 entries of 48 bytes do not fit its size 54", Refused(s.Build(), r => r.ReadThreads()));
    }

    [Fact]
    public void AModulesNameAndBuildIdReadAsPut()
    {
        var s = new SynthMinidump();
        byte[] id = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10];
        uint name = s.String("/usr/lib/libmade-up.so.1"), cv = s.ElfCodeView(id);
        s.ModuleList([new(0x7f0000000000, 0x5000, name, 24, cv)]);
        using var r = Open(s.Build());
        var m = Assert.Single(r.ReadModules());
        Assert.Equal(("/usr/lib/libmade-up.so.1", 0x7f0000000000UL, 0x5000u), (m.Name, m.Module.BaseOfImage, m.Module.SizeOfImage));
        Assert.Equal(id, m.BuildId);
    }

    [Fact]
    public void AModuleNamePastTheEndOfTheFileIsRefused()
    {
        var s = new SynthMinidump();
        s.ModuleList([new(0x400000, 0x1000, 0x7fff_0000, 0, 0)]);
        Assert.Contains("range 0x7fff0000+0x4 lies beyond the end of the file", Refused(s.Build(), r => r.ReadModules()));
    }

    [Theory]
    [InlineData(7u)]          // odd: not UTF-16
    [InlineData(0x7fff_fff0u)] // past any sane name
    public void AStringWithABadLengthIsRefused(uint length)
    {
        var s = new SynthMinidump();
        uint name = s.String("x", claimedLength: length);
        s.ModuleList([new(0x400000, 0x1000, name, 0, 0)]);
        Assert.Contains($"has a bad length {length}", Refused(s.Build(), r => r.ReadModules()));
    }

    [Fact]
    public void MemoryIsReadFromBothListsAtTheirAddresses()
    {
        var s = new SynthMinidump();
        uint small = s.Bytes("stackmem"u8);
        s.MemoryList([(0x7ffd0000, 8, small)]);
        uint base64 = s.Bytes("heap-one-2222"u8);
        s.Memory64List(base64, [(0x10000000, 8), (0x20000000, 5)]);
        using var r = Open(s.Build());
        var buffer = new byte[8];
        Assert.Equal(8, r.ReadMemory(0x7ffd0000, buffer));
        Assert.Equal("stackmem"u8.ToArray(), buffer);
        Assert.Equal(8, r.ReadMemory(0x10000000, buffer));
        Assert.Equal("heap-one"u8.ToArray(), buffer);
        // The second Memory64 range starts where the first one's bytes end.
        Assert.Equal(5, r.ReadMemory(0x20000000, buffer));
        Assert.Equal("-2222"u8.ToArray(), buffer[..5]);
        // Nothing is made up between or past the ranges.
        Assert.Equal(0, r.ReadMemory(0x10000008, buffer));
        Assert.Equal(3, r.ReadMemory(0x7ffd0005, buffer));
    }

    [Fact]
    public void Memory64RangesRunningPastTheEndOfTheFileAreRefused()
    {
        var s = new SynthMinidump();
        uint base64 = s.Bytes(new byte[16]);
        s.Memory64List(base64, [(0x10000000, 16), (0x20000000, 1UL << 40)]);
        Assert.Contains("Memory64List data", Refused(s.Build(), r => r.ReadMemory64List()));
    }

    [Fact]
    public void AMemoryListRangePastTheEndOfTheFileIsRefusedWhenMemoryIsRead()
    {
        var s = new SynthMinidump();
        s.MemoryList([(0x1000, 0x1000, 0x10)]);
        Assert.Contains("MemoryList range", Refused(s.Build(), r => r.ReadMemory(0x1000, new byte[4])));
    }

    [Fact]
    public void AHeaderClaimingMoreStreamsThanTheFileHoldsIsRefused()
    {
        var s = new SynthMinidump();
        s.Stream(StreamType.LinuxMaps, "00400000-00401000 r-xp 00000000 00:00 0\n"u8);
        File.WriteAllBytes(_path, s.Build(claimedStreamCount: 200));
        Assert.Throws<MinidumpFormatException>(() => MinidumpReader.Open(_path).Dispose());
    }

    [Fact]
    public void ARawStreamReadsAsPut()
    {
        var s = new SynthMinidump();
        s.Stream(StreamType.LinuxMaps, "00400000-00401000 r-xp 00000000 00:00 0\n"u8);
        using var r = Open(s.Build());
        Assert.Equal("00400000-00401000 r-xp 00000000 00:00 0\n"u8.ToArray(), r.ReadStream(StreamType.LinuxMaps));
        Assert.Null(r.ReadStream(StreamType.LinuxEnviron));
    }
}
