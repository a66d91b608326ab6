using OpenWer.Format;

namespace OpenWer.Dumps.Tests;

/// <summary>The dump types carry exactly WER's MINIDUMP_TYPE values (DESIGN.md's table).</summary>
public sealed class DumpTypeFlagsTests
{
    [Theory]
    [InlineData(DumpType.Micro, 0x00000521u)]
    [InlineData(DumpType.Mini, 0x00040121u)]
    [InlineData(DumpType.Heap, 0x00051B25u)]
    [InlineData(DumpType.Full, 0x00061926u)]
    public void Values(DumpType type, uint expected) => Assert.Equal((MinidumpType)expected, DumpTypeFlags.For(type));

    [Fact]
    public void LocalDumpsCustomDefaultIs0x121() => Assert.Equal((MinidumpType)0x121, DumpTypeFlags.LocalDumpsCustomDefault);

    [Fact]
    public void MicroNeedsAThread() =>
        Assert.Throws<ArgumentException>(() => DumpRequest.ForType(1, DumpType.Micro, null, "x.dmp"));
}
