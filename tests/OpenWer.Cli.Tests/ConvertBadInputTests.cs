using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.Tests;

namespace OpenWer.Cli.Tests;

/// <summary>`wer convert` of what is not a core it can read, or to where it cannot write: the exit code, the reason, no file left.</summary>
public sealed class ConvertBadInputTests(GcoreCore core) : IClassFixture<GcoreCore>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Output => _dir.File("out.dmp");

    [Fact]
    public void AMissingCoreIsNamed()
    {
        var r = Wer.Run("convert", _dir.File("no.core"), "-o", Output);
        Wer.AssertFails(r, 2, $"{_dir.File("no.core")}: no such file");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void AFolderIsNotACore()
    {
        string folder = Directory.CreateDirectory(_dir.File("cores")).FullName;
        var r = Wer.Run("convert", folder, "-o", Output);
        Wer.AssertFails(r, 2, $"{folder} is a folder");
        Wer.AssertNothingLeft(_dir.Path, "cores");
    }

    [Fact]
    public void AFileThatIsNotElfIsRefused()
    {
        string text = _dir.File("notes.txt");
        File.WriteAllText(text, "not a core\n");
        var r = Wer.Run("convert", text, "-o", Output);
        Wer.AssertFails(r, 1, "is not an ELF file", "no dump was written");
        Wer.AssertNothingLeft(_dir.Path, "notes.txt");
    }

    [Fact]
    public void AnElfProgramIsNotACore()
    {
        // readelf, independently: the program is an ELF file of another type than CORE.
        Assert.DoesNotContain("CORE", Tool.Run("readelf", ["-h", NativeTarget.BinaryPath]).Output);
        var r = Wer.Run("convert", NativeTarget.BinaryPath, "-o", Output);
        Wer.AssertFails(r, 1, "is an ELF file but not a core", "no dump was written");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Theory]
    [InlineData("header", "cut short in its program headers")]
    [InlineData("half", "cut short")]
    [InlineData("notes", "cut short")]
    [InlineData("last note byte", "cut short")]
    public void ACoreCutShortIsRefused(string cutAt, string says)
    {
        // Where the core's parts are, from readelf: gcore writes the memory first and the notes (threads, registers) after it.
        var (notes, notesSize) = NoteSegment(core.Path);
        long length = cutAt switch
        {
            "header" => 64, // the ELF header alone
            "half" => new FileInfo(core.Path).Length / 2,
            "notes" => notes + notesSize / 2,
            _ => notes + notesSize - 1,
        };
        string cut = core.CutTo(length, _dir.Path);
        var r = Wer.Run("convert", cut, "--type", "full", "-o", Output);
        Wer.AssertFails(r, 1, says, "no dump was written");
        Wer.AssertNothingLeft(_dir.Path, Path.GetFileName(cut));
    }

    private static (long Offset, long Size) NoteSegment(string path)
    {
        var readelf = Tool.Run("readelf", ["-lW", path]);
        Assert.Contains("Elf file type is CORE", readelf.Output);
        var fields = readelf.Output.Split('\n').Single(l => l.TrimStart().StartsWith("NOTE ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (Convert.ToInt64(fields[1], 16), Convert.ToInt64(fields[4], 16));
    }

    [Fact]
    public void TheWholeCoreConverts()
    {
        // The positive control of the tests above and below: the same core, whole, to a folder that can be written.
        var r = Wer.Run("convert", core.Path, "-o", Output);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal("MDMP"u8.ToArray(), File.ReadAllBytes(Output)[..4]);
    }

    [Fact]
    public void AnOutputFolderThatDoesNotExistIsNamed()
    {
        var r = Wer.Run("convert", core.Path, "-o", _dir.File("no/such/out.dmp"));
        Wer.AssertFails(r, 6, $"the folder {_dir.File("no/such")} does not exist");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void AnOutputFolderThatCannotBeWrittenIsNamed()
    {
        var r = Wer.Run("convert", core.Path, "-o", "/proc/openwer-test.dmp");
        Wer.AssertFails(r, 6, "cannot write in /proc");
    }

    [Fact]
    public void AnExistingOutputIsLeftAlone()
    {
        File.WriteAllText(Output, "keep me");
        var r = Wer.Run("convert", core.Path, "-o", Output);
        Wer.AssertFails(r, 6, "already exists", "--overwrite");
        Assert.Equal("keep me", File.ReadAllText(Output));
        Wer.AssertNothingLeft(_dir.Path, "out.dmp");
    }

    [Fact]
    public void AFullDiskLeavesNoPartialFile()
    {
        using var disk = new LoopFileSystem(_dir.Path, megabytes: 16);
        // A full dump holds all the core's memory; the fixture's thread stacks alone are more than the disk.
        Assert.True(new FileInfo(core.Path).Length > 32L << 20, "the core is too small to fill the disk");
        string path = Path.Combine(disk.Mount, "full.dmp");
        var r = Wer.Run("convert", core.Path, "--type", "full", "-o", path);
        Wer.AssertFails(r, 6, "full", "No dump was written");
        Wer.AssertNothingLeft(disk.Mount, "lost+found");

        // The same disk takes a mini dump: the failure was the size, and said so.
        var mini = Wer.Run("convert", core.Path, "--type", "mini", "-o", path);
        Assert.True(mini.ExitCode == 0, mini.All);
    }
}
