namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>tests/fixtures/managed/ManagedTarget, built by the solution build (or here, if it was not).</summary>
public static class ManagedFixture
{
    private static readonly Lazy<string> Dll = new(Find);

    /// <summary>The fixture's ManagedTarget.dll, built if need be.</summary>
    public static string DllPath => Dll.Value;

    public static NativeTarget Start(int threads = 4, int heapMib = 0) =>
        new("dotnet", [Dll.Value, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--heap-mib", heapMib.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    private static string Find() => BuiltDll("ManagedTarget");

    /// <summary>A fixture project's dll under tests/fixtures/managed, as the solution build left it (or built here).</summary>
    public static string BuiltDll(string project)
    {
        string folder = Path.Combine(RepoPaths.Root, "tests/fixtures/managed", project);
        string? built = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(folder, "bin", c, "net10.0", project + ".dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        if (built is not null)
            return built;
        var result = Tool.Run("dotnet", ["build", folder, "-c", "Release", "-nologo", "-v", "quiet"], TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, $"building the fixture {project} failed: " + result.All);
        return Path.Combine(folder, "bin", "Release", "net10.0", project + ".dll");
    }

    /// <summary>The folder of the libcoreclr.so a process has mapped (the DAC, libmscordaccore.so, lies beside it).</summary>
    public static string RuntimeFolder(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/maps").First(l => l.EndsWith("/libcoreclr.so", StringComparison.Ordinal));
        return Path.GetDirectoryName(line[line.IndexOf('/')..])!;
    }
}
