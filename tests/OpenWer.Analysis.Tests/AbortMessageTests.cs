using System.Text.Json;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// The text glibc leaves in __abort_msg before abort() (a failed assertion, a malloc check), read from the dump as gdb
/// reads it from the same program stopped at the same SIGABRT, in every dump type; absent when glibc left none.
/// </summary>
public sealed partial class AbortMessageTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly Lazy<string> Binary = new(() =>
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("openwer-abort-fixture-").FullName, "abort-messages");
        var r = Tool.Run("cc", ["-O1", "-g", "-o", output, Path.Combine(RepoPaths.Root, "tests/fixtures/native/abort-messages.c")]);
        Assert.True(r.ExitCode == 0, "cc failed: " + r.All);
        return output;
    });

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"^\$1 = (?:0x[0-9a-f]+ )?""(.*)""$", RegexOptions.Multiline)]
    private static partial Regex GdbString();

    /// <summary>gdb's reading of the message, the program run under gdb to its SIGABRT; null when __abort_msg is null.</summary>
    private static string? GdbAbortMessage(string mode)
    {
        var r = Tool.Run("gdb", ["-batch", "-nx", "-ex", "run", "-ex", "p __abort_msg == 0 ? \"\" : (char *)__abort_msg + 4", "--args", Binary.Value, mode], TimeSpan.FromMinutes(2));
        Assert.Contains("SIGABRT", r.Output);
        var m = GdbString().Match(r.Output);
        Assert.True(m.Success, r.All);
        // gdb prints C escapes: the message's own quotes and its trailing newline.
        string text = m.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        return text.Length == 0 ? null : text.TrimEnd('\n');
    }

    private string? OursFrom(string mode, string type)
    {
        string folder = _dir.File($"dumps-{mode}-{type}");
        var run = Tool.Run(CrashFixture.Wer, ["run", "--type", type, "--folder", folder, "--settings", _dir.File("none.ini"), "--", Binary.Value, mode], TimeSpan.FromMinutes(2));
        Assert.Equal(134, run.ExitCode);
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", Assert.Single(Directory.GetFiles(folder, "*.dmp"))]);
        Assert.True(r.ExitCode == 0, r.All);
        var crash = JsonDocument.Parse(r.Output).RootElement.GetProperty("crash_info");
        Assert.Equal("abort", crash.GetProperty("reason").GetString());
        return crash.GetProperty("abort_message").GetString();
    }

    [Theory]
    [InlineData("assert")]
    [InlineData("double-free")]
    public void TheMessageInEveryDumpTypeIsTheOneGdbReads(string mode)
    {
        string? truth = GdbAbortMessage(mode);
        Assert.NotNull(truth);
        // Heap and full dumps hold libc's data anyway; micro and mini dumps hold the pointer and its page because
        // capture puts them in every dump (ProcessSnapshot.NotableMemory).
        foreach (var type in new[] { "micro", "mini", "heap", "full" })
            Assert.Equal(truth, OursFrom(mode, type));
    }

    [Fact]
    public void AnAssertionsMessageNamesTheFileTheLineAndTheCondition()
    {
        string? ours = OursFrom("assert", "heap");
        Assert.NotNull(ours);
        Assert.Matches(@"abort-messages\.c:7: check_limit: Assertion `limit > 5 && ""the limit is too small""' failed\.$", ours);
        var text = Tool.Run(CrashFixture.Wer, ["analyze", Assert.Single(Directory.GetFiles(_dir.File("dumps-assert-heap"), "*.dmp"))]).Output;
        Assert.Contains("abort message: ", text);
        Assert.Contains("Assertion `limit > 5", text);
    }

    [Fact]
    public void APlainAbortHasNone()
    {
        Assert.Null(GdbAbortMessage("abort"));
        Assert.Null(OursFrom("abort", "heap"));
        Assert.Null(OursFrom("abort", "mini"));
    }
}
