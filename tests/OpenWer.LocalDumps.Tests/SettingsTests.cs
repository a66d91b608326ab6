using System.Text;
using OpenWer.Format;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Tests;

/// <summary>The LocalDumps values: defaults, per-application overrides value by value, bad values, .reg import.</summary>
public sealed class SettingsTests
{
    private static readonly CrashingUser Alice = new(1000, 1000, "alice", "/home/alice");

    [Fact]
    public void DefaultsAreTheDocumentOnes()
    {
        var s = LocalDumpsSettings.Resolve(new SettingsFile(), "myapp", Alice);
        Assert.Equal("/home/alice/.local/share/CrashDumps", s.DumpFolder.Value);
        Assert.Equal(10, s.DumpCount.Value);
        Assert.Equal(1, s.DumpType.Value);
        Assert.Equal((MinidumpType)0x121, s.CustomDumpFlags.Value);
        Assert.Equal(Dumps.DumpTypeFlags.Mini, s.Flags);
        Assert.All(new[] { s.DumpFolder.Source, s.DumpCount.Source, s.DumpType.Source, s.CustomDumpFlags.Source }, x => Assert.Equal("default", x));
        Assert.Empty(s.Problems);
    }

    [Fact]
    public void LocalAppDataHonoursXdgDataHome()
    {
        var s = LocalDumpsSettings.Resolve(new SettingsFile(), "myapp", Alice with { DataHome = "/data/alice" });
        Assert.Equal("/data/alice/CrashDumps", s.DumpFolder.Value);
    }

    [Fact]
    public void AnApplicationOverridesValueByValue()
    {
        var file = SettingsFile.Parse("[LocalDumps]\nDumpFolder=/var/crash\nDumpCount=5\n\n[LocalDumps\\myapp.exe]\nDumpType=2\n");
        var app = LocalDumpsSettings.Resolve(file, "myapp", Alice);
        Assert.Equal(("/var/crash", "[LocalDumps]"), (app.DumpFolder.Value, app.DumpFolder.Source));
        Assert.Equal(5, app.DumpCount.Value);
        Assert.Equal((2, "[LocalDumps\\myapp.exe]"), (app.DumpType.Value, app.DumpType.Source));
        Assert.Equal(Dumps.DumpTypeFlags.Full, app.Flags);
        var other = LocalDumpsSettings.Resolve(file, "other", Alice);
        Assert.Equal(1, other.DumpType.Value);
    }

    [Theory]
    [InlineData("myapp", "myapp.exe")]
    [InlineData("myapp.exe", "myapp")]
    [InlineData("MyApp", "myapp")]
    [InlineData("myapp", "myapp")]
    public void BothSpellingsMatch(string section, string executable)
    {
        var file = SettingsFile.Parse($"[LocalDumps\\{section}]\nDumpCount=3\n");
        Assert.Equal(3, LocalDumpsSettings.Resolve(file, executable, Alice).DumpCount.Value);
    }

    [Theory]
    [InlineData("DumpType", "7", "DumpType \"7\"")]
    [InlineData("DumpType", "mini", "DumpType \"mini\"")]
    [InlineData("DumpCount", "-1", "DumpCount \"-1\"")]
    [InlineData("CustomDumpFlags", "0x80000000", "CustomDumpFlags")]
    [InlineData("DumpFolder", "C:\\dumps", "not an absolute Linux path")]
    [InlineData("DumpFolder", "%WINDIR%\\dumps", "%WINDIR%")]
    public void ABadValueIsReportedAndTheNextLevelApplies(string name, string value, string message)
    {
        var file = SettingsFile.Parse($"[LocalDumps]\nDumpType=2\nDumpCount=4\nCustomDumpFlags=0x1\nDumpFolder=/var/crash\n[LocalDumps\\app]\n{name}={value}\n");
        var s = LocalDumpsSettings.Resolve(file, "app", Alice);
        var problem = Assert.Single(s.Problems);
        Assert.Contains(message, problem);
        Assert.Contains("[LocalDumps\\app]", problem);
        // The global value is used instead of the bad one.
        Assert.Equal((2, 4, (MinidumpType)1, "/var/crash"), (s.DumpType.Value, s.DumpCount.Value, s.CustomDumpFlags.Value, s.DumpFolder.Value));
    }

    [Fact]
    public void ABadGlobalValueFallsBackToTheDefault()
    {
        var s = LocalDumpsSettings.Resolve(SettingsFile.Parse("[LocalDumps]\nDumpType=9\n"), "app", Alice);
        Assert.Equal((1, "default"), (s.DumpType.Value, s.DumpType.Source));
        Assert.Contains("DumpType \"9\"", Assert.Single(s.Problems));
    }

    [Fact]
    public void UnknownNamesAndSectionsAreReported()
    {
        var file = SettingsFile.Parse("[LocalDumps]\nDumpCout=3\n[Other]\nx=1\n");
        Assert.Equal(3, file.Problems.Count); // the misspelt name, the unknown section, its value
        Assert.Contains(file.Problems, p => p.Contains("DumpCout"));
    }

    [Fact]
    public void ASerializedFileReadsBackTheSame()
    {
        var file = SettingsFile.Parse("[LocalDumps]\nDumpCount=5\n[LocalDumps\\a.exe]\nDumpType=0\nCustomDumpFlags=0x1826\n");
        var again = SettingsFile.Parse(file.Serialize());
        Assert.Equal("5", again.Global.Values[LocalDumpsValue.DumpCount]);
        Assert.Equal("0x1826", again.FindApplication("a")!.Values[LocalDumpsValue.CustomDumpFlags]);
    }

    /// <summary>As regedit exports it: UTF-16LE with a BOM, REG_EXPAND_SZ as hex(2) over several lines.</summary>
    [Fact]
    public void ImportsARegistryExport()
    {
        string folder = "%LOCALAPPDATA%\\Dumps";
        string hex = string.Join(",", Encoding.Unicode.GetBytes(folder + "\0").Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        string wrapped = string.Join(",\\\r\n  ", hex.Split(',').Chunk(25).Select(c => string.Join(",", c)));
        string reg = "Windows Registry Editor Version 5.00\r\n\r\n" +
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps]\r\n" +
            $"\"DumpFolder\"=hex(2):{wrapped}\r\n" +
            "\"DumpCount\"=dword:0000000c\r\n" +
            "\"DumpType\"=dword:00000002\r\n\r\n" +
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps\\myapp.exe]\r\n" +
            "\"DumpType\"=dword:00000000\r\n" +
            "\"CustomDumpFlags\"=dword:00001826\r\n" +
            "\"Unknown\"=dword:00000001\r\n";
        byte[] bytes = [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(reg)];
        var file = new SettingsFile();
        var problems = RegistryExport.Import(bytes, file);
        Assert.Contains("\"Unknown\" is not a LocalDumps value; ignored", problems);
        var global = LocalDumpsSettings.Resolve(file, "other", Alice);
        Assert.Equal(("/home/alice/.local/share/Dumps", 12, 2), (global.DumpFolder.Value, global.DumpCount.Value, global.DumpType.Value));
        var app = LocalDumpsSettings.Resolve(file, "myapp", Alice);
        Assert.Equal((MinidumpType)0x1826, app.Flags);
    }

    [Fact]
    public void ImportDeletesValuesAndKeys()
    {
        var file = SettingsFile.Parse("[LocalDumps]\nDumpCount=5\nDumpType=2\n[LocalDumps\\gone]\nDumpType=1\n");
        string reg = "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps]\n\"DumpCount\"=-\n" +
            "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps\\gone]\n";
        Assert.Empty(RegistryExport.Import(Encoding.UTF8.GetBytes(reg), file));
        Assert.False(file.Global.Values.ContainsKey(LocalDumpsValue.DumpCount));
        Assert.Equal("2", file.Global.Values[LocalDumpsValue.DumpType]);
        Assert.Null(file.FindApplication("gone"));
    }

    [Fact]
    public void ARegFileWithoutTheKeyIsRefused()
    {
        var problems = RegistryExport.Import(Encoding.UTF8.GetBytes("hello"), new SettingsFile());
        Assert.Contains("not a registry export", Assert.Single(problems));
    }
}
