using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>`wer localdumps` on bad names, values and files, and `collect` where it cannot: the exit code, the reason, no file changed or left.</summary>
public sealed class LocalDumpsBadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Settings => _dir.File("localdumps.ini");

    private Tool.Result LocalDumps(params string[] args) => Wer.Run(["localdumps", .. args, "--settings", Settings]);

    [Theory]
    [InlineData("DumpCoutn", "4", "DumpCoutn is not a LocalDumps value")]
    [InlineData("0", "4", "0 is not a LocalDumps value")]
    [InlineData("DumpCount", "many", "DumpCount")]
    [InlineData("DumpType", "7", "DumpType \"7\" is not 0 (custom), 1 (mini) or 2 (full)")]
    public void ABadNameOrValueIsRefusedAndTheFileIsUnchanged(string name, string value, string says)
    {
        Assert.Equal(0, LocalDumps("set", "DumpCount", "4").ExitCode);
        string before = File.ReadAllText(Settings);
        var r = LocalDumps("set", name, value);
        Wer.AssertFails(r, 2, "wer localdumps:", says);
        Assert.Equal(before, File.ReadAllText(Settings));
        Wer.AssertNothingLeft(_dir.Path, "localdumps.ini");
    }

    [Fact]
    public void ImportOfAMissingFileIsNamed()
    {
        var r = LocalDumps("import", _dir.File("no.reg"));
        Wer.AssertFails(r, 2, $"{_dir.File("no.reg")} does not exist");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void SettingsThatCannotBeWrittenAreNamed()
    {
        var r = Wer.Run("localdumps", "set", "DumpCount", "4", "--settings", "/proc/openwer-test.ini");
        Wer.AssertFails(r, 6, "cannot write /proc/openwer-test.ini");
    }

    [Fact]
    public void CollectOfNoSuchProcess()
    {
        var r = LocalDumps("collect", "999999999");
        Wer.AssertFails(r, 3, "no process with id 999999999");
    }

    [Fact]
    public void CollectIntoAFolderThatCannotBeMadeExitsSixAndLeavesTheTargetRunning()
    {
        using var target = new NativeTarget(threads: 2);
        Assert.Equal(0, LocalDumps("set", "DumpFolder", "/proc/openwer-test-dumps").ExitCode);
        var r = LocalDumps("collect", target.Pid.ToString(CultureInfo.InvariantCulture));
        Wer.AssertFails(r, 6, "/proc/openwer-test-dumps");
        Assert.False(Directory.Exists("/proc/openwer-test-dumps"));
        target.AssertAlive();

        // The positive control: a folder that can be made gets the dump.
        string dumps = _dir.File("dumps");
        Assert.Equal(0, LocalDumps("set", "DumpFolder", dumps).ExitCode);
        var ok = LocalDumps("collect", target.Pid.ToString(CultureInfo.InvariantCulture));
        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.Single(Directory.GetFiles(dumps, "*.dmp"));
    }
}
