using OpenWer.Dumps.Output;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Tests;

/// <summary>The dump folder: WER's names, DumpCount rotation, concurrent crashes, planted symlinks.</summary>
public sealed class DumpFolderCollectorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private LocalDumpsSettings Settings(string folder, int count = 10)
    {
        var file = SettingsFile.Parse($"[LocalDumps]\nDumpFolder={folder}\nDumpCount={count}\n");
        return LocalDumpsSettings.Resolve(file, "app", new CrashingUser(0, 0, "root", "/root"));
    }

    private static void Payload(Stream s, int pid) => s.Write(BitConverter.GetBytes(pid));

    [Fact]
    public void TwelveCrashesLeaveTheTenNewest()
    {
        string folder = _dir.File("dumps");
        var settings = Settings(folder);
        var written = new List<string>();
        for (int pid = 100; pid < 112; pid++)
        {
            var result = DumpFolderCollector.Collect(settings, "app", pid, s => Payload(s, pid));
            written.Add(result.DumpPath!);
            Thread.Sleep(15); // distinct modification times
        }
        var left = Directory.GetFiles(folder, "*.dmp").Order().ToList();
        Assert.Equal(written.Skip(2).Order(), left);
        Assert.Equal("app.111.dmp", Path.GetFileName(written[^1]));
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(written[^1])); // 0600
    }

    [Fact]
    public void DumpCountCountsOtherApplicationsDumpsToo()
    {
        string folder = Directory.CreateDirectory(_dir.File("shared")).FullName;
        for (int i = 0; i < 3; i++)
        {
            File.WriteAllText(Path.Combine(folder, $"other.{i}.dmp"), "x");
            File.SetLastWriteTimeUtc(Path.Combine(folder, $"other.{i}.dmp"), DateTime.UtcNow.AddMinutes(-10 + i));
        }
        var result = DumpFolderCollector.Collect(Settings(folder, count: 2), "app", 5, s => Payload(s, 5));
        Assert.Equal(2, result.Removed.Count);
        Assert.Equal(new[] { "app.5.dmp", "other.2.dmp" }, Directory.GetFiles(folder, "*.dmp").Select(Path.GetFileName).Order());
    }

    [Fact]
    public void TwentySimultaneousCrashesNeverLeaveMoreThanDumpCountNorACorruptDump()
    {
        string folder = _dir.File("concurrent");
        var settings = Settings(folder);
        var results = new CollectionResult[20];
        Parallel.For(0, 20, new ParallelOptions { MaxDegreeOfParallelism = 20 }, i =>
            results[i] = DumpFolderCollector.Collect(settings, "app", 1000 + i, s =>
            {
                Thread.Sleep(20);
                Payload(s, 1000 + i);
            }));
        var left = Directory.GetFiles(folder, "*.dmp");
        Assert.Equal(10, left.Length);
        foreach (var f in left)
        {
            int pid = BitConverter.ToInt32(File.ReadAllBytes(f));
            Assert.Equal($"app.{pid}.dmp", Path.GetFileName(f));
        }
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(10, results.Sum(r => r.Removed.Count));
    }

    [Fact]
    public void ASymlinkPlantedUnderTheDumpNameIsNotFollowed()
    {
        string folder = Directory.CreateDirectory(_dir.File("planted")).FullName;
        string victim = _dir.File("victim");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(folder, "app.42.dmp"), victim);
        var result = DumpFolderCollector.Collect(Settings(folder), "app", 42, s => Payload(s, 42));
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(Path.Combine(folder, "app.42.1.dmp"), result.DumpPath);
        Assert.Equal(42, BitConverter.ToInt32(File.ReadAllBytes(result.DumpPath!)));
        Assert.NotNull(new FileInfo(Path.Combine(folder, "app.42.dmp")).LinkTarget);
    }

    [Fact]
    public void AFolderThatIsASymlinkIsRefused()
    {
        string real = Directory.CreateDirectory(_dir.File("real")).FullName;
        string link = _dir.File("link");
        Directory.CreateSymbolicLink(link, real);
        var e = Assert.Throws<DumpOutputException>(() => DumpFolderCollector.Collect(Settings(link), "app", 1, s => Payload(s, 1)));
        Assert.Contains("symbolic link", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(real));
    }

    [Fact]
    public void DumpCountZeroTurnsCollectionOff()
    {
        string folder = _dir.File("off");
        var result = DumpFolderCollector.Collect(Settings(folder, count: 0), "app", 1, s => Payload(s, 1));
        Assert.Null(result.DumpPath);
        Assert.Contains("DumpCount is 0", result.Skipped);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void NamesStartingWithADotAreRotatedToo()
    {
        string folder = Directory.CreateDirectory(_dir.File("dots")).FullName;
        File.WriteAllText(Path.Combine(folder, ".old.1.dmp"), "x");
        File.SetLastWriteTimeUtc(Path.Combine(folder, ".old.1.dmp"), DateTime.UtcNow.AddMinutes(-10));
        var result = DumpFolderCollector.Collect(Settings(folder, count: 1), ".app", 7, s => Payload(s, 7));
        Assert.Equal([Path.Combine(folder, ".old.1.dmp")], result.Removed);
        Assert.Equal([".app.7.dmp"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void TheTemporaryNameIsShortWhateverTheExecutableIsCalled()
    {
        string folder = Directory.CreateDirectory(_dir.File("long")).FullName;
        string exe = new('\u20ac', 100); // 300 bytes of UTF-8, 3 per character
        string? seen = null;
        var result = DumpFolderCollector.Collect(Settings(folder), exe, 99, s =>
        {
            seen = Assert.Single(Directory.GetFiles(folder));
            Payload(s, 99);
        });
        Assert.Matches(@"/\.openwer-[0-9a-f]{16}\.tmp$", seen);
        string name = Path.GetFileName(result.DumpPath!);
        // 255 - ".99.dmp" leaves 248 bytes, which would split a character: 246 (82 characters) are kept.
        Assert.Equal(new string('\u20ac', 82) + ".99.dmp", name);
        Assert.Equal(253, System.Text.Encoding.UTF8.GetByteCount(name));
        Assert.Equal(99, BitConverter.ToInt32(File.ReadAllBytes(result.DumpPath!)));
    }

    [Fact]
    public void AFolderOfAnotherUserIsRefusedAndNothingIsWrittenThere()
    {
        string folder = Directory.CreateDirectory(_dir.File("nobodys")).FullName;
        Assert.Equal(0, Tool.Run("chown", ["65534:65534", folder]).ExitCode);
        var e = Assert.Throws<DumpOutputException>(() => DumpFolderCollector.Collect(Settings(folder), "app", 1, s => Payload(s, 1)));
        Assert.Contains("belongs to user nobody (uid 65534)", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void ARootOwnedSymlinkOnTheWayIsFollowed()
    {
        string real = Directory.CreateDirectory(_dir.File("real-parent")).FullName;
        Directory.CreateSymbolicLink(_dir.File("via"), real);
        var result = DumpFolderCollector.Collect(Settings(_dir.File("via/dumps")), "app", 3, s => Payload(s, 3));
        Assert.Equal(3, BitConverter.ToInt32(File.ReadAllBytes(Path.Combine(real, "dumps", "app.3.dmp"))));
        Assert.Equal(Path.Combine(real, "dumps", "app.3.dmp"), result.DumpPath); // where it really is
    }

    [Fact]
    public void ASymlinkOnTheWayOwnedByAUserIsNotFollowed()
    {
        string real = Directory.CreateDirectory(_dir.File("target")).FullName;
        string link = _dir.File("users-link");
        Directory.CreateSymbolicLink(link, real);
        Assert.Equal(0, Tool.Run("chown", ["-h", "65534:65534", link]).ExitCode);
        var e = Assert.Throws<DumpOutputException>(() => DumpFolderCollector.Collect(Settings(link + "/dumps"), "app", 1, s => Payload(s, 1)));
        Assert.Contains("only root's symbolic links are followed", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(real));
    }
}
