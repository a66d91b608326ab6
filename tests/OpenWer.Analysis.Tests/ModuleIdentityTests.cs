using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// A module file whose build-id is not the dump's is never used: the program rebuilt at the same path after the
/// crash gives no names and no unwind rules for the dump's frames in it, and the report says why.
/// </summary>
public sealed class ModuleIdentityTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AFileWithAnotherBuildIdIsNotUsedForTheModule()
    {
        string binary = _dir.File("analyze-crashes");
        string source = Path.Combine(RepoPaths.Root, "tests/fixtures/native/analyze-crashes.c");
        Assert.Equal(0, Tool.Run("cc", ["-O0", "-g", "-o", binary, source]).ExitCode);
        string dump = CrashFixture.Dump(binary, "libc-strlen", "mini", _dir);

        string before = Tool.Run(CrashFixture.Wer, ["analyze", "--json", dump]).Output;
        using (var json = JsonDocument.Parse(before))
            Assert.Contains(Frames(json), f => f == "measure");

        // The same source built again with other flags: same path, another build-id (readelf is the judge).
        string oldId = ReadElf.BuildId(binary)!;
        Assert.Equal(0, Tool.Run("cc", ["-O1", "-g", "-o", binary, source]).ExitCode);
        Assert.NotEqual(oldId, ReadElf.BuildId(binary));

        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", dump]);
        Assert.True(r.ExitCode == 0, r.All);
        using var after = JsonDocument.Parse(r.Output);
        var exe = after.RootElement.GetProperty("modules")[after.RootElement.GetProperty("main_module").GetInt32()];
        Assert.Equal(oldId, exe.GetProperty("code_id").GetString());
        Assert.True(exe.GetProperty("missing_symbols").GetBoolean());
        Assert.Contains("not the dump's", exe.GetProperty("symbol_source").GetString());
        var frames = after.RootElement.GetProperty("crashing_thread").GetProperty("frames").EnumerateArray().ToList();
        Assert.Equal("__strlen_avx2", frames[0].GetProperty("function").GetString());
        Assert.All(frames.Where(f => f.GetProperty("module").GetString() == exe.GetProperty("filename").GetString()),
            f => Assert.Equal(JsonValueKind.Null, f.GetProperty("function").ValueKind));
        Assert.DoesNotContain(Frames(after), f => f == "measure");
    }

    private static List<string?> Frames(JsonDocument json) =>
        json.RootElement.GetProperty("crashing_thread").GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("function").GetString()).ToList();
}
