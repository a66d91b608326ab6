using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Tests;

/// <summary>The machine-wide file is trusted only when root owns it and no one else may write it.</summary>
public sealed class SettingsStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SavedSettingsLoadBack()
    {
        string path = _dir.File("localdumps.ini");
        var file = new SettingsFile();
        file.Global.Values[LocalDumpsValue.DumpCount] = "7";
        SettingsStore.Save(path, file);
        var loaded = SettingsStore.Load(path, out var refused);
        Assert.Null(refused);
        Assert.Equal("7", loaded.Global.Values[LocalDumpsValue.DumpCount]);
    }

    [Fact]
    public void AWritableByOthersFileIsIgnored()
    {
        string path = _dir.File("localdumps.ini");
        File.WriteAllText(path, "[LocalDumps]\nDumpCount=7\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1B6); // 0666
        var loaded = SettingsStore.Load(path, out var refused);
        Assert.Contains("writable by others", refused);
        Assert.Empty(loaded.Global.Values);
    }

    [Fact]
    public void AFileNotOwnedByRootIsIgnored()
    {
        string path = _dir.File("localdumps.ini");
        File.WriteAllText(path, "[LocalDumps]\nDumpCount=7\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1A4); // 0644
        var chown = Tool.Run("chown", ["65534", path]);
        Assert.True(chown.ExitCode == 0, "this test needs root to chown: " + chown.All);
        var loaded = SettingsStore.Load(path, out var refused);
        Assert.Contains("not owned by root", refused);
        Assert.Empty(loaded.Global.Values);
    }

    [Fact]
    public void ASymlinkIsIgnored()
    {
        string real = _dir.File("real.ini");
        File.WriteAllText(real, "[LocalDumps]\nDumpCount=7\n");
        string link = _dir.File("localdumps.ini");
        File.CreateSymbolicLink(link, real);
        SettingsStore.Load(link, out var refused);
        Assert.Contains("symbolic link", refused);
    }
}
