using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.Tests;

namespace OpenWer.Cli.Tests;

/// <summary>The real `wer` binary beside the tests (the project references src/OpenWer.Cli), and what a failure of it must show.</summary>
public static class Wer
{
    public static string Binary { get; } = Path.Combine(AppContext.BaseDirectory, "wer");

    public static Tool.Result Run(params string[] args) => Tool.Run(Binary, args, TimeSpan.FromMinutes(2));

    public static Tool.Result RunIn(string folder, params string[] args) => Tool.Run(Binary, args, TimeSpan.FromMinutes(2), folder);

    /// <summary>`wer` run by an unprivileged user, in its home folder.</summary>
    public static Tool.Result RunAs(TestUser user, params string[] args) => user.Run(Binary, args);

    /// <summary>
    /// The documented exit code, and on stderr a message that names the command (`wer ...:`) and holds each of
    /// <paramref name="says"/>: what went wrong and what to do. Nothing on stdout, which is for results.
    /// </summary>
    public static void AssertFails(Tool.Result r, int exitCode, params string[] says)
    {
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}: {r.All}");
        Assert.StartsWith("wer", r.Error);
        foreach (string s in says)
            Assert.Contains(s, r.Error);
        Assert.Equal("", r.Output);
    }

    /// <summary>Nothing in <paramref name="folder"/> but <paramref name="kept"/>: no dump, no hidden temporary file.</summary>
    public static void AssertNothingLeft(string folder, params string[] kept) =>
        Assert.Equal(kept.Order(), Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order());
}
