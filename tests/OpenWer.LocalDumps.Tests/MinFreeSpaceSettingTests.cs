using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Tests;

/// <summary>[OpenWer] MinFreeSpaceMB: its default, its parsing, a bad value reported and not used, and its round trip.</summary>
public sealed class MinFreeSpaceSettingTests
{
    [Fact]
    public void TheDefaultIs256AndAValueIsRead()
    {
        Assert.Equal(256, SettingsFile.Parse("").MinFreeSpaceMB);
        Assert.Equal(0, SettingsFile.Parse("[OpenWer]\nMinFreeSpaceMB=0\n").MinFreeSpaceMB);
        Assert.Equal(4096, SettingsFile.Parse("[OpenWer]\nminfreespacemb = 4096\n").MinFreeSpaceMB);
    }

    [Fact]
    public void ABadValueIsReportedAndTheDefaultStays()
    {
        var file = SettingsFile.Parse("[OpenWer]\nMinFreeSpaceMB=-5\n");
        Assert.Equal(FreeSpaceFloor.DefaultMinFreeSpaceMB, file.MinFreeSpaceMB);
        Assert.Contains(file.Problems, p => p.Contains("MinFreeSpaceMB=MIB", StringComparison.Ordinal) && p.Contains("-5", StringComparison.Ordinal));
    }

    [Fact]
    public void ItSurvivesARoundTrip()
    {
        var file = SettingsFile.Parse("[OpenWer]\nMinFreeSpaceMB=17\n");
        Assert.Equal(17, SettingsFile.Parse(file.Serialize()).MinFreeSpaceMB);
        Assert.DoesNotContain("[OpenWer]", SettingsFile.Parse("").Serialize());
    }

    [Fact]
    public void TheFloorInBytesIsMebibytes() => Assert.Equal(3L << 20, FreeSpaceFloor.Megabytes(3, 10).MinFreeBytes);
}
