using System.Buffers.Binary;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;
using OpenWer.Format.Writing;

namespace OpenWer.Format.Tests;

/// <summary>Files that are cut short or lie: a clear error, never a crash or a huge allocation.</summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"openwer-bad-{Guid.NewGuid():N}.dmp");

    public void Dispose() => File.Delete(_path);

    private byte[] ValidDump()
    {
        var b = new MinidumpBuilder();
        b.AddCountedList(StreamType.ThreadList, [new MinidumpThread(1, 0, 0, 0, 0, default, default)], MinidumpThread.Size, (e, d) => e.Write(d));
        b.AddStream(StreamType.LinuxMaps, "x"u8);
        using (var file = File.Create(_path))
            b.WriteTo(file, new FakeMemory(), MinidumpType.Normal, 0, false);
        return File.ReadAllBytes(_path);
    }

    private MinidumpFormatException Fails(byte[] bytes, Action<MinidumpReader>? use = null)
    {
        File.WriteAllBytes(_path, bytes);
        return Assert.Throws<MinidumpFormatException>(() =>
        {
            using var r = MinidumpReader.Open(_path);
            use?.Invoke(r);
        });
    }

    [Fact]
    public void EmptyFile() => Assert.Contains("shorter than a minidump header", Fails([]).Message);

    [Fact]
    public void NotAMinidump() => Assert.Contains("no MDMP signature", Fails(new byte[64]).Message);

    [Fact]
    public void TruncatedFile()
    {
        var bytes = ValidDump();
        Assert.Contains("beyond the end of the file", Fails(bytes[..40]).Message);
    }

    [Fact]
    public void LyingStreamCount()
    {
        var bytes = ValidDump();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 0x7fffffff);
        Assert.Contains("refusing more than", Fails(bytes).Message);
    }

    [Fact]
    public void LyingThreadCount()
    {
        var bytes = ValidDump();
        File.WriteAllBytes(_path, bytes);
        LocationDescriptor threads;
        using (var r = MinidumpReader.Open(_path))
            Assert.True(r.TryFindStream(StreamType.ThreadList, out threads));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)threads.Rva), 1_000_000);
        Assert.Contains("do not fit", Fails(bytes, r => r.ReadThreads()).Message);
    }

    [Theory]
    [InlineData(0x1000_0000_0000_0000UL)] // 16 + 16 x count wraps around to 16
    [InlineData(0x7fff_ffffUL)]
    [InlineData(2UL)]
    public void LyingMemory64Count(ulong count)
    {
        var b = new MinidumpBuilder();
        b.AddCountedList(StreamType.ThreadList, [new MinidumpThread(1, 0, 0, 0, 0, default, default)], MinidumpThread.Size, (e, d) => e.Write(d));
        // A Memory64List header alone (count, base RVA) that claims ranges it does not have.
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(header, count);
        b.AddStream(StreamType.Memory64List, header);
        using (var file = File.Create(_path))
            b.WriteTo(file, new FakeMemory(), MinidumpType.Normal, 0, false);
        Assert.Contains("Memory64List size", Fails(File.ReadAllBytes(_path), r => r.ReadMemory64List()).Message);
    }

    [Theory]
    [InlineData(0xFFFF_FFFFu, "more than the file could hold")]
    [InlineData(3u, "beyond the end of the file")]
    public void LyingLinkMapCount(uint count, string error)
    {
        var b = new MinidumpBuilder();
        b.AddCountedList(StreamType.ThreadList, [new MinidumpThread(1, 0, 0, 0, 0, default, default)], MinidumpThread.Size, (e, d) => e.Write(d));
        // An r_debug that claims link_map entries at an RVA near the end of the file.
        var body = new byte[LinuxDsoDebug.Size];
        new LinuxDsoDebug(1, 0x100, count, 0, 0, 0).Write(body);
        b.AddStream(StreamType.LinuxDsoDebug, body);
        using (var file = File.Create(_path))
            b.WriteTo(file, new FakeMemory(), MinidumpType.Normal, 0, false);
        Assert.Contains(error, Fails(File.ReadAllBytes(_path), r => r.ReadDsoDebug()).Message);
    }

    [Fact]
    public void StreamPointingPastTheEnd()
    {
        var bytes = ValidDump();
        var header = MinidumpHeader.Read(bytes);
        // First directory entry's RVA -> far past the end.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)header.StreamDirectoryRva + 8), 0x7fff0000);
        Assert.Contains("beyond the end", Fails(bytes).Message);
    }

    [Fact]
    public void AContextOfAnotherSizeIsNotReadAsX86()
    {
        var b = new MinidumpBuilder();
        var context = b.Reserve(Contexts.ContextAmd64.Size, 16, out uint rva);
        new Contexts.ContextAmd64().Write(context);
        b.AddCountedList(StreamType.ThreadList, [new MinidumpThread(1, 0, 0, 0, 0, default, new LocationDescriptor(Contexts.ContextAmd64.Size, rva))],
            MinidumpThread.Size, (e, d) => e.Write(d));
        using (var file = File.Create(_path))
            b.WriteTo(file, new FakeMemory(), MinidumpType.Normal, 0, false);
        Assert.Contains("not an x86 CONTEXT", Fails(File.ReadAllBytes(_path), r => r.ReadContextX86(r.ReadThreads()[0].ThreadContext)).Message);
    }

    [Fact]
    public void ValidDumpStillReads()
    {
        File.WriteAllBytes(_path, ValidDump());
        using var r = MinidumpReader.Open(_path);
        Assert.Single(r.ReadThreads());
    }
}
