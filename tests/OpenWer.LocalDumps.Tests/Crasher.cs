using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>tests/fixtures/native/crasher.c, built with cc once per run.</summary>
public static class Crasher
{
    private static readonly Lazy<string> Binary = new(() =>
    {
        string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"openwer-crasher-{Environment.ProcessId}")).FullName;
        string output = Path.Combine(dir, "crasher");
        var r = Tool.Run("cc", ["-O1", "-g", "-pthread", "-o", output, Path.Combine(RepoPaths.Root, "tests/fixtures/native/crasher.c")]);
        Assert.True(r.ExitCode == 0, "cc failed: " + r.All);
        return output;
    });

    public static string Path_ => Binary.Value;
}
