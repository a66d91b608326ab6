using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>Every verb on a command line it cannot take: exit 2, the problem named, the verb's own help pointed at, nothing done.</summary>
public sealed class UsageErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("wer dump", "dump", "--bogus", "1")]
    [InlineData("wer convert", "convert", "--bogus", "x.core", "-o", "x.dmp")]
    [InlineData("wer localdumps show", "localdumps", "show", "--bogus")]
    [InlineData("wer localdumps collect", "localdumps", "collect", "--bogus", "1")]
    [InlineData("wer reports list", "reports", "list", "--bogus")]
    public void AnUnknownOptionIsNamed(string command, params string[] args)
    {
        var r = Wer.RunIn(_dir.Path, args);
        // Named as an option, not as "cannot parse '--bogus' as System.Int32" nor as an unrecognized argument.
        Wer.AssertFails(r, 2, "wer: unknown option --bogus", $"see `{command} --help`");
        Assert.DoesNotContain("System.", r.Error);
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void AnUnknownOptionOfRunIsNotRunAsTheProgram()
    {
        string marker = _dir.File("ran");
        var r = Wer.RunIn(_dir.Path, "run", "--bogus", "--", "/bin/sh", "-c", $"touch {marker}");
        Wer.AssertFails(r, 2, "unknown option --bogus", "see `wer run --help`");
        Assert.False(File.Exists(marker), "the program ran");
    }

    [Fact]
    public void WhatFollowsTheDoubleDashIsTheProgramsOwn()
    {
        // The positive control of the test above: after "--", an option-like word goes to the program.
        var r = Wer.RunIn(_dir.Path, "run", "--folder", _dir.File("dumps"), "--settings", _dir.File("none.ini"), "--", "/bin/sh", "-c", "echo \"$0\"", "--bogus");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal("--bogus\n", r.Output);
    }

    [Theory]
    [InlineData("give the pid of the process to dump", "dump")]
    [InlineData("--output", "convert", "x.core")]
    [InlineData("convert", "convert", "-o", "x.dmp")]
    [InlineData("run", "run")]
    [InlineData("run", "run", "--")]
    [InlineData("collect", "localdumps", "collect")]
    [InlineData("set", "localdumps", "set", "DumpCount")]
    [InlineData("unset", "localdumps", "unset")]
    [InlineData("import", "localdumps", "import")]
    [InlineData("show", "reports", "show")]
    [InlineData("delete", "reports", "delete")]
    [InlineData("'-o'", "dump", "1", "-o")]
    [InlineData("'--type'", "convert", "x.core", "-o", "x.dmp", "--type")]
    public void AMissingArgumentIsNamed(string named, params string[] args)
    {
        var r = Wer.RunIn(_dir.Path, args);
        Wer.AssertFails(r, 2, named);
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Theory]
    [InlineData("wer", "bogus")]
    [InlineData("wer localdumps", "localdumps", "bogus")]
    [InlineData("wer reports", "reports", "bogus")]
    public void AnUnknownCommandIsNamed(string command, params string[] args)
    {
        var r = Wer.RunIn(_dir.Path, args);
        Wer.AssertFails(r, 2, "'bogus'", $"see `{command} --help`");
    }

    [Theory]
    [InlineData("\"abc\" is not a process id", "dump", "abc")]
    [InlineData("\"12x\" is not a process id", "localdumps", "collect", "12x")]
    [InlineData("\"main\" is not a thread id", "dump", "1", "--thread", "main")]
    [InlineData("\"t\" is not a thread id", "localdumps", "collect", "1", "--thread", "t")]
    public void AnIdThatIsNotANumberIsSaidSo(string message, params string[] args)
    {
        var r = Wer.RunIn(_dir.Path, args);
        Wer.AssertFails(r, 2, message);
        Assert.DoesNotContain("System.Int32", r.Error);
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Theory]
    [InlineData("'micro'", "dump", "1", "--type", "huge")]
    [InlineData("'micro'", "convert", "x.core", "-o", "x.dmp", "--type", "huge")]
    [InlineData("'micro'", "run", "--type", "huge", "--", "/bin/true")]
    [InlineData("'minidump'", "convert", "x.core", "-o", "x.dmp", "--to", "elf")]
    public void AValueOutsideTheChoicesListsThem(string oneChoice, params string[] args)
    {
        string value = args.SkipWhile(a => a is not ("--type" or "--to")).ElementAt(1);
        var r = Wer.RunIn(_dir.Path, args);
        Wer.AssertFails(r, 2, $"'{value}' not recognized", oneChoice);
        Wer.AssertNothingLeft(_dir.Path);
    }

    [Fact]
    public void HelpListsEveryVerbAndExitsZero()
    {
        var r = Wer.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (string verb in new[] { "dump <pid>", "convert <input>", "run <command>", "localdumps", "reports" })
            Assert.Contains(verb, r.Output);
    }
}
