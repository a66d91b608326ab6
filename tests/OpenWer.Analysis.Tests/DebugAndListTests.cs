using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// `wer debug` (gdb through a converted core, or lldb on the dump) against gdb on the kernel's own core of the same
/// crash, and `wer localdumps list` against the dumps `wer run` wrote and the way each process ended.
/// </summary>
public sealed partial class DebugAndListTests
{
    [GeneratedRegex(@"^#\d+\s+(?:0x[0-9a-f]+ in )?(<signal handler called>|[A-Za-z_][\w.]*)", RegexOptions.Multiline)]
    private static partial Regex GdbFrame();

    /// <summary>The functions of gdb's bt, after the marker (gdb prints the current frame once before it).</summary>
    private static List<string> GdbFunctions(string output) =>
        [.. GdbFrame().Matches(output[(output.IndexOf("==bt==", StringComparison.Ordinal) + 6)..]).Select(m => m.Groups[1].Value)];

    private static int TempFolders() => Directory.GetDirectories(Path.GetTempPath(), "wer-debug-*").Length;

    [Theory]
    [InlineData("null-write", "O0-fp")]
    [InlineData("abort", "O2-nofp")]
    [InlineData("in-handler", "O0-nofp")]
    public void DebugShowsGdbTheFramesOfTheKernelsCore(string mode, string variant)
    {
        using var dir = new TempDir();
        string binary = CrashFixture.Binary(variant);
        var kernel = GdbCrash.Run(binary, mode);
        string dump = CrashFixture.Dump(binary, mode, "mini", dir);
        int folders = TempFolders();

        var r = Tool.Run(CrashFixture.Wer, ["debug", dump, "--", "-batch", "-nx", "-ex", "echo ==bt==\\n", "-ex", "bt"], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("Program terminated with signal " + kernel.Signal, r.Output);
        Assert.Contains("==bt==", r.Output);
        var ours = GdbFunctions(r.Output);
        var truth = kernel.Frames.Select(f => f.Function).ToList();
        // Through main: what gdb walks of the program's own frames on the kernel's core, gdb walks on ours.
        int main = truth.IndexOf("main");
        Assert.True(main >= 0, kernel.Output);
        Assert.Equal(truth[..(main + 1)], ours.Take(main + 1));
        Assert.Equal(folders, TempFolders()); // the converted core (the process's memory) is gone with gdb
    }

    [Fact]
    public void DebugWithLldbOpensTheDumpItself()
    {
        using var dir = new TempDir();
        string binary = CrashFixture.Binary("O0-fp");
        string dump = CrashFixture.Dump(binary, "null-write", "mini", dir);
        var r = Tool.Run(CrashFixture.Wer, ["debug", "--lldb", dump, "--", "--batch", "-o", "bt"], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("stop reason = signal SIGSEGV", r.Output);
        Assert.Contains("write_record", r.Output);
    }

    [Fact]
    public void AProgramRebuiltSinceTheCrashIsNotGivenToGdb()
    {
        using var dir = new TempDir();
        string binary = dir.File("crasher");
        File.Copy(CrashFixture.Binary("O0-fp"), binary);
        string dump = CrashFixture.Dump(binary, "null-write", "mini", dir);
        // Another build at the same path: its symbols would be wrong, so gdb gets the core alone.
        File.Copy(CrashFixture.Binary("O2-nofp"), binary, overwrite: true);
        var r = Tool.Run(CrashFixture.Wer, ["debug", dump, "--", "-batch", "-nx", "-ex", "bt"], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("is not used", r.Error);
        Assert.Contains("not the dump's", r.Error);
    }

    [Fact]
    public void DebugOfAFileThatIsNotADumpSaysSoAndStartsNothing()
    {
        using var dir = new TempDir();
        string junk = dir.File("junk.dmp");
        File.WriteAllText(junk, "not a minidump at all");
        var r = Tool.Run(CrashFixture.Wer, ["debug", junk, "--", "-batch"], TimeSpan.FromMinutes(1));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a readable minidump", r.Error);
        Assert.DoesNotContain("GNU gdb", r.Output);
    }

    [Fact]
    public void ListShowsEachDumpNewestFirstWithItsPidSignalSizeAndSignature()
    {
        using var dir = new TempDir();
        string folder = dir.File("dumps");
        string settings = dir.File("localdumps.ini");
        File.WriteAllText(settings, $"[LocalDumps]\nDumpFolder={folder}\nDumpType=1\n");
        string binary = CrashFixture.Binary("O0-fp");
        var ended = new List<(string Mode, int Exit)>();
        foreach (var mode in new[] { "null-write", "abort" })
        {
            var run = Tool.Run(CrashFixture.Wer, ["run", "--settings", settings, "--", binary, mode], TimeSpan.FromMinutes(2));
            ended.Add((mode, run.ExitCode));
            Thread.Sleep(1100); // the dumps' times are in seconds: one second apart, newest first is defined
        }
        File.WriteAllText(dir.File("junk.dmp"), "junk");
        File.Move(dir.File("junk.dmp"), Path.Combine(folder, "junk.dmp"));

        var r = Tool.Run(CrashFixture.Wer, ["localdumps", "list", "--json", "--settings", settings], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.All);
        var entries = JsonDocument.Parse(r.Output).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("path").GetString()!.StartsWith(folder, StringComparison.Ordinal)).ToList();
        var dumps = entries.Where(e => e.GetProperty("problem").ValueKind == JsonValueKind.Null).ToList();
        Assert.Equal(2, dumps.Count);
        // Newest first: the abort ran second. Each signal is the one the process died of (128 + signal).
        Assert.Equal(["SIGABRT / SI_TKILL", "SIGSEGV / SEGV_MAPERR"], dumps.Select(e => e.GetProperty("signal").GetString()));
        Assert.Equal([134, 139], ended.Select(e => e.Exit).Reverse());
        foreach (var e in dumps)
        {
            string path = e.GetProperty("path").GetString()!;
            Assert.Equal(new FileInfo(path).Length, e.GetProperty("size").GetInt64());
            Assert.Equal($"{Path.GetFileName(binary)}.{e.GetProperty("pid").GetUInt32().ToString(CultureInfo.InvariantCulture)}.dmp", Path.GetFileName(path));
            Assert.Equal(Path.GetFileName(binary), e.GetProperty("executable").GetString());
            Assert.Equal("root", e.GetProperty("user").GetString());
            var analyzed = JsonDocument.Parse(Tool.Run(CrashFixture.Wer, ["analyze", "--json", path]).Output).RootElement;
            Assert.Equal(analyzed.GetProperty("signature").GetString(), e.GetProperty("signature").GetString());
        }
        Assert.Equal(["write_record", "call_abort"], dumps.Select(e => e.GetProperty("signature").GetString()!).Reverse().Select(s => s.Split(' ')[0]));
        var junk = Assert.Single(entries, e => e.GetProperty("path").GetString()!.EndsWith("junk.dmp", StringComparison.Ordinal));
        Assert.StartsWith("not a readable minidump", junk.GetProperty("problem").GetString());

        // Another user sees none of root's dumps in the same folder (only their own).
        // The other user can read the settings and the folder (so the owner check, not a permission, keeps root's out).
        for (string? p = dir.Path; p is not null && p != Path.GetTempPath().TrimEnd('/'); p = Path.GetDirectoryName(p))
            File.SetUnixFileMode(p, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(folder, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(settings, (UnixFileMode)0x1A4);
        var theirs = Tool.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CrashFixture.Wer, "localdumps", "list", "--json", "--settings", settings]);
        Assert.True(theirs.ExitCode == 0, theirs.All);
        Assert.Empty(JsonDocument.Parse(theirs.Output).RootElement.EnumerateArray());
        // ... though root's listing of the same folder, read by that user's rules, would have held them.
        Assert.Contains(folder, File.ReadAllText(settings));
    }
}
