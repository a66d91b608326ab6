using System.Text;
using OpenWer.LocalDumps.MachineWide;

namespace OpenWer.LocalDumps.Tests;

/// <summary>The rate limiter's bounded memory, on its own (the machine-wide tests drive it through real crashes).</summary>
public sealed class CrashRateTableTests
{
    private const long Window = 60_000;

    [Fact]
    public void CountsDumpsInTheWindowAndSkipsTheRest()
    {
        var table = new CrashRateTable();
        Assert.True(table.TryTake("app", 1000, 2, Window, out int s1));
        Assert.True(table.TryTake("app", 2000, 2, Window, out _));
        Assert.False(table.TryTake("app", 3000, 2, Window, out int s3));
        Assert.False(table.TryTake("app", 4000, 2, Window, out int s4));
        Assert.True(table.TryTake("app", 1000 + Window, 2, Window, out int s5)); // the first dump left the window
        Assert.Equal((0, 1, 2, 2), (s1, s3, s4, s5));
    }

    [Fact]
    public void SurvivesItsOwnFileAndDropsATornLine()
    {
        var table = new CrashRateTable();
        table.TryTake("a b", 1000, 1, Window, out _);
        table.TryTake("c", 1000, 1, Window, out _);
        var bytes = table.Serialize();
        var again = CrashRateTable.Parse([.. bytes, .. "17961611"u8]);
        Assert.Equal(["a b", "c"], again.Executables.Order());
        Assert.False(again.TryTake("a b", 2000, 1, Window, out int skipped));
        Assert.Equal(1, skipped);
        Assert.Equal(0, CrashRateTable.Parse("garbage\n1 x y z\n-1 0 - n\n"u8).Count);
    }

    [Fact]
    public void HoldsAtMostTheBoundEvictingTheLeastRecentlySeen()
    {
        var table = new CrashRateTable();
        for (int i = 0; i < 1000; i++)
            table.TryTake($"exe{i}", 1000 + i, 5, Window, out _);
        Assert.Equal(CrashRateTable.MaxExecutables, table.Count);
        Assert.Contains("exe999", table.Executables);
        Assert.DoesNotContain("exe0", table.Executables);
        Assert.Contains($"exe{1000 - CrashRateTable.MaxExecutables}", table.Executables);
        table.TryTake("late", 1000 + 2 * Window, 5, Window, out _);
        Assert.Equal(["late"], table.Executables); // everything else was last seen outside the window
        string longName = new('x', 5000);
        table.TryTake(longName, 1000 + 2 * Window, 5, Window, out _);
        Assert.True(Encoding.UTF8.GetString(table.Serialize()).Split('\n').Max(l => l.Length) < CrashRateTable.MaxNameChars + 64);
    }
}
