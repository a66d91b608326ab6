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
}
