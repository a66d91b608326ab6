namespace OpenWer.LocalDumps.Tests;

/// <summary>Waits for what a crash handler does in its own time (a dump, a log line), failing the test past a bound.</summary>
public static class Eventually
{
    public static void True(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Sleep(20);
        }
    }
}
