namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>Paths in the source tree, found from the test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenWer.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find OpenWer.sln above " + AppContext.BaseDirectory);
    }

    public static string NativeFixtureSource => Path.Combine(Root, "tests/fixtures/native/target.c");
}
