namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>Builds a C fixture of tests/fixtures/native with cc at test time: the one build line of the tests.</summary>
public static class FixtureCompiler
{
    /// <summary>Flags of every fixture that has threads and is read by debuggers.</summary>
    public static readonly string[] DebugThreaded = ["-g", "-pthread"];

    /// <summary>target.c's libraries: libm loaded but never called, a module no stack refers to (ScanMemory).</summary>
    public static readonly string[] TargetLibraries = ["-Wl,--no-as-needed", "-lm"];

    /// <summary>
    /// cc [-m32] -O1 FLAGS -o OUTPUT SOURCE LIBRARIES, where <paramref name="source"/> is a path or a file of
    /// tests/fixtures/native. Fails the test when cc fails, with what it printed and, for -m32, what to install.
    /// </summary>
    public static string Build(string source, string output, IEnumerable<string>? flags = null, IEnumerable<string>? libraries = null, bool m32 = false)
    {
        string path = Path.IsPathRooted(source) ? source : Path.Combine(RepoPaths.Root, "tests/fixtures/native", source);
        List<string> args = [.. m32 ? ["-m32"] : Array.Empty<string>(), "-O1", .. flags ?? [], "-o", output, path, .. libraries ?? []];
        var r = Tool.Run("cc", args);
        Assert.True(r.ExitCode == 0, (m32 ? "cc -m32 failed (the test command installs gcc-multilib): " : "cc failed: ") + r.All);
        return output;
    }

    /// <summary>A folder for this test run's binaries, /tmp/NAME-PID.</summary>
    public static string Folder(string name) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"{name}-{Environment.ProcessId}")).FullName;
}
