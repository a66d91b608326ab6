using System.Text;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>`wer localdumps show|set|unset|import` on a settings file of the test's own.</summary>
public sealed class LocalDumpsCliTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SettingsPath => _dir.File("localdumps.ini");

    private Tool.Result Wer_(params string[] args) => Tool.Run(Wer, ["localdumps", .. args, "--settings", SettingsPath]);

    [Fact]
    public void ShowPrintsTheDefaultsWhenThereIsNoFile()
    {
        var r = Wer_("show");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("(absent: defaults apply)", r.Output);
        Assert.Matches(@"DumpCount\s+10\s+default", r.Output);
        Assert.Matches(@"DumpType\s+1 \(mini\)\s+default", r.Output);
        Assert.Contains("flags in force: 0x40121", r.Output);
    }

    [Fact]
    public void SetAndUnsetAnApplicationsValue()
    {
        Assert.Equal(0, Wer_("set", "DumpCount", "4").ExitCode);
        Assert.Equal(0, Wer_("set", "DumpType", "2", "--app", "myapp").ExitCode);
        var show = Wer_("show", "--app", "myapp.exe");
        Assert.Matches(@"DumpType\s+2 \(full\)\s+\[LocalDumps\\myapp\]", show.Output);
        Assert.Matches(@"DumpCount\s+4\s+\[LocalDumps\]", show.Output);
        Assert.Equal(0, Wer_("unset", "DumpType", "--app", "myapp").ExitCode);
        Assert.Matches(@"DumpType\s+1 \(mini\)\s+default", Wer_("show", "--app", "myapp").Output);
    }

    [Fact]
    public void SetRefusesAValueThatWouldNotBeUsed()
    {
        Assert.Equal(0, Wer_("set", "DumpCount", "4").ExitCode);
        string before = File.ReadAllText(SettingsPath);
        var r = Wer_("set", "DumpType", "7");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("DumpType \"7\" is not 0 (custom), 1 (mini) or 2 (full)", r.Error);
        Assert.Equal(before, File.ReadAllText(SettingsPath));
        Assert.Equal(2, Wer_("set", "DumpCoutn", "4").ExitCode);
    }

    [Fact]
    public void ShowReportsBadValuesWrittenByHand()
    {
        File.WriteAllText(SettingsPath, "[LocalDumps]\nDumpType=fast\nCustomDumpFlags=0x7f000000\n");
        var r = Wer_("show");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("problem: [LocalDumps] DumpType \"fast\"", r.Output);
        Assert.Contains("problem: [LocalDumps] CustomDumpFlags \"0x7f000000\"", r.Output);
        Assert.Matches(@"DumpType\s+1 \(mini\)\s+default", r.Output);
    }

    [Fact]
    public void ImportReadsARegFile()
    {
        string reg = _dir.File("localdumps.reg");
        string text = "Windows Registry Editor Version 5.00\r\n\r\n" +
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps\\crasher.exe]\r\n" +
            "\"DumpType\"=dword:00000000\r\n\"CustomDumpFlags\"=dword:00000002\r\n";
        File.WriteAllBytes(reg, [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)]);
        var r = Tool.Run(Wer, ["localdumps", "import", reg, "--settings", SettingsPath]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("flags in force: 0x2", Wer_("show", "--app", "crasher").Output);
        var bad = Tool.Run(Wer, ["localdumps", "import", SettingsPath, "--settings", SettingsPath]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("not a registry export", bad.Error);
    }
}
