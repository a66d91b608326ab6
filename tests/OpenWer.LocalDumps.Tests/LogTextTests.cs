using OpenWer.LocalDumps.MachineWide;

namespace OpenWer.LocalDumps.Tests;

/// <summary>The escaping every printed name goes through: one line, every byte accounted for, reversible by eye.</summary>
public sealed class LogTextTests
{
    [Theory]
    [InlineData("crasher", "crasher")]
    [InlineData("a\nb", @"a\x0ab")]
    [InlineData("a\r\tb\u007f", @"a\x0d\x09b\x7f")]
    [InlineData(@"a\x0ab", @"a\\x0ab")] // a literal backslash cannot pass for an escape
    [InlineData("next\u0085line", @"next\u0085line")]
    [InlineData("x\u2028y\u2029z", @"x\u2028y\u2029z")]
    [InlineData("evil\u202egpj.exe", @"evil\u202egpj.exe")]
    [InlineData("lost\ufffd", @"lost\ufffd")]
    [InlineData("héllo 日本 😀", "héllo 日本 😀")]
    public void TextIsEscapedToOneUnambiguousLine(string name, string expected) => Assert.Equal(expected, LogText.Escape(name));

    [Fact]
    public void ALoneSurrogateIsEscaped()
    {
        Assert.Equal(@"a\ud800b", LogText.Escape("a\ud800b"));
        Assert.Equal(@"\udc00", LogText.Escape("\udc00"));
    }

    [Fact]
    public void BytesThatAreNotUtf8BecomeHexAndValidOnesText()
    {
        Assert.Equal(@"bad\xff\xfename", LogText.Escape([.. "bad"u8, 0xff, 0xfe, .. "name"u8]));
        Assert.Equal(@"é\xc3", LogText.Escape([0xc3, 0xa9, 0xc3])); // a sequence cut at the end
        Assert.Equal(@"\xed\xa0\x80", LogText.Escape([0xed, 0xa0, 0x80])); // an encoded surrogate is not UTF-8
        Assert.Equal(@"a\x0a\\", LogText.Escape("a\n\\"u8));
        Assert.Equal(@"\u0085", LogText.Escape([0xc2, 0x85])); // a C1 control, validly encoded: a character, not a byte
    }

    [Fact]
    public void OneLineKeepsBackslashesButNoLineBreak()
    {
        Assert.Equal(@"pid 1 (a\x0ab) C:\dir", LogText.OneLine("pid 1 (a\nb) C:\\dir"));
        Assert.DoesNotContain('\n', LogText.OneLine("x\ny\r\u2028z"));
    }
}
