using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>`wer run` of a program it cannot start: the shell's exit codes (127 not found, 126 not executable), said by wer, nothing started or made.</summary>
public sealed class RunBadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Tool.Result Run(params string[] program) =>
        Wer.RunIn(_dir.Path, ["run", "--folder", _dir.File("dumps"), "--settings", _dir.File("none.ini"), "--", .. program]);

    [Fact]
    public void AProgramThatDoesNotExistIsNamed()
    {
        string missing = _dir.File("no-such-program");
        var r = Run(missing, "--an-argument");
        Wer.AssertFails(r, 127, $"wer run: {missing}: no such file");
        // Said by wer, not by the shell that would have exec'd it under a name of ours.
        Assert.DoesNotContain("openwer-run", r.Error);
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void ANameNotInPathIsNamed()
    {
        var r = Run("openwer-no-such-program");
        Wer.AssertFails(r, 127, "openwer-no-such-program: not found in PATH");
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void AFileThatIsNotExecutableIsNamed()
    {
        string script = _dir.File("script.sh");
        File.WriteAllText(script, $"#!/bin/sh\ntouch {_dir.File("ran")}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var r = Run(script);
        Wer.AssertFails(r, 126, $"{script} is not executable", "chmod +x");
        Wer.AssertNothingLeft(_dir.Path, "script.sh");

        // The positive control: executable, the same file runs.
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(0, Run(script).ExitCode);
        Assert.True(File.Exists(_dir.File("ran")));
    }

    [Fact]
    public void AFolderIsNotAProgram()
    {
        string folder = Directory.CreateDirectory(_dir.File("bin")).FullName;
        var r = Run(folder);
        Wer.AssertFails(r, 126, $"{folder} is a folder");
        Wer.AssertNothingLeft(_dir.Path, "bin");
    }

    [Fact]
    public void TheProgramsOwnStatusIsWers()
    {
        // What 126 and 127 above are told apart from: a program that runs and exits with a status of its own.
        var r = Run("/bin/sh", "-c", "echo out; echo err >&2; exit 7");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("out\n", r.Output);
        Assert.Equal("err\n", r.Error);
    }
}
