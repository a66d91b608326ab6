using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// Signatures of real crashes: the same crash in three runs (other pids, other ASLR layouts) has one signature and one
/// bucket; the bucket's offset lies in the function readelf places there; frames gdb walks through abort() and raise()
/// are skipped to abort's caller, a crash in strlen gives "strlen | its caller" and two callers of the same strlen
/// fault two signatures; a rules folder a user edited changes the signature.
/// </summary>
[Collection(SignatureDumpsCollection.Name)]
public sealed class SignatureTests(SignatureDumps dumps, ITestOutputHelper output)
{
    public static TheoryData<string> Repeated() => [.. SignatureDumps.Repeated];

    [Theory]
    [MemberData(nameof(Repeated))]
    public void TheSameCrashInThreeRunsHasOneSignatureAndBucket(string mode)
    {
        var runs = dumps.Dumps[mode].Select(d => SignatureDumps.Analyze(d)).ToList();
        var roots = runs.Select(j => j.RootElement).ToList();
        foreach (var r in roots)
            output.WriteLine($"pid {r.GetProperty("pid")}: {r.GetProperty("signature")} / {r.GetProperty("bucket")}");
        // Three processes, and with ASLR (randomize_va_space > 0) the module holding the fault at other addresses.
        Assert.Equal(3, roots.Select(r => r.GetProperty("pid").GetUInt32()).Distinct().Count());
        var bucket = roots[0].GetProperty("bucket");
        string faulting = bucket.GetProperty("module_name").GetString()!;
        if (File.ReadAllText("/proc/sys/kernel/randomize_va_space").Trim() != "0")
            Assert.True(roots.Select(r => Module(r, faulting).GetProperty("base_addr").GetString()).Distinct().Count() > 1, "ASLR moved nothing in three runs");
        Assert.Single(roots.Select(r => r.GetProperty("signature").GetString()).Distinct());
        Assert.Single(roots.Select(r => r.GetProperty("bucket").ToString()).Distinct());
        Assert.DoesNotContain("0x", roots[0].GetProperty("signature").GetString());

        // The bucket: the app is the executable, the faulting module's build-id is readelf's, and the offset lies in
        // the function readelf places there.
        var module = Module(roots[0], faulting);
        string path = module.GetProperty("path").GetString()!;
        Assert.Equal(Path.GetFileName(dumps.Binary), bucket.GetProperty("app_name").GetString());
        Assert.Equal("", bucket.GetProperty("app_version").GetString());
        Assert.Equal(ReadElf.BuildId(path), bucket.GetProperty("module_build_id").GetString());
        Assert.Equal(mode == "abort" ? "0x00000006" : "0x0000000b", bucket.GetProperty("exception_code").GetString());
        var functions = ElfFunctions.Containing(path, Hex(bucket.GetProperty("module_offset")));
        output.WriteLine($"readelf: offset {bucket.GetProperty("module_offset")} of {path} is in {string.Join(", ", functions)}");
        switch (mode)
        {
            case "null-write": Assert.Contains("write_record", functions); break;
            case "libc-strlen": Assert.Contains(functions, f => f.StartsWith("__strlen_", StringComparison.Ordinal)); break;
            default: Assert.Contains(functions, f => f.Contains("pthread_kill", StringComparison.Ordinal)); break;
        }
    }

    [Fact]
    public void DifferentCrashPlacesHaveDifferentSignatures()
    {
        var signatures = dumps.Dumps.ToDictionary(kv => kv.Key, kv => Signature(kv.Value[0]));
        foreach (var (mode, signature) in signatures)
            output.WriteLine($"{mode}: {signature}");
        // in-handler faults in the same write_record as null-write: the same place, and the same signature.
        Assert.Equal(signatures["null-write"], signatures["in-handler"]);
        var places = signatures.Where(kv => kv.Key != "in-handler").Select(kv => kv.Value).ToList();
        Assert.Equal(places.Count, places.Distinct().Count());
    }

    [Fact]
    public void AnAbortIsSignedByAbortsCaller()
    {
        var gdb = GdbCrash.Run(dumps.Binary, "abort");
        var frames = gdb.Frames.Select(f => f.Function).ToList();
        output.WriteLine("gdb: " + string.Join(", ", frames));
        // gdb's frames above abort's caller: libc's kill machinery, raise and abort, under any of their aliases.
        int abort = frames.FindLastIndex(f => f is "abort" or "__GI_abort");
        Assert.True(abort >= 1, "gdb shows no abort frame below the signal");
        Assert.Contains(frames[..abort], f => f.Contains("raise", StringComparison.Ordinal) || f.Contains("pthread_kill", StringComparison.Ordinal));
        Assert.Equal(frames[abort + 1], Signature(dumps.Dumps["abort"][0]));
        Assert.Equal("call_abort", frames[abort + 1]);
    }

    [Fact]
    public void AStrlenCrashIsSignedWithItsCallerAndTwoCallersAreToldApart()
    {
        foreach (var (mode, caller) in new[] { ("libc-strlen", "measure"), ("libc-strlen-other", "measure_other") })
        {
            var gdb = GdbCrash.Run(dumps.Binary, mode);
            output.WriteLine($"{mode} gdb: " + string.Join(", ", gdb.Frames.Select(f => f.Function)));
            // gdb's frame 0 is one of glibc's CPU-specific builds of strlen, frame 1 the function the fixture calls it from.
            Assert.StartsWith("__strlen_", gdb.Frames[0].Function);
            Assert.Equal(caller, gdb.Frames[1].Function);
            Assert.Equal($"strlen | {caller}", Signature(dumps.Dumps[mode][0]));
        }
        // The bucket cannot tell them apart (the same instruction of strlen faults); the signature does.
        using var one = SignatureDumps.Analyze(dumps.Dumps["libc-strlen"][0]);
        using var other = SignatureDumps.Analyze(dumps.Dumps["libc-strlen-other"][0]);
        Assert.Equal(one.RootElement.GetProperty("bucket").ToString(), other.RootElement.GetProperty("bucket").ToString());
    }

    [Fact]
    public void ACallThroughANullPointerIsSignedWithTheCaller()
    {
        Assert.Equal("@0x0 | call_function", Signature(dumps.Dumps["null-call"][0]));
    }

    [Fact]
    public void AUserEditedRulesFolderChangesTheSignature()
    {
        using var rules = new TempDir();
        string dump = dumps.Dumps["null-write"][0];
        Assert.Equal("write_record", Signature(dump));
        // write_record as a prefix frame: its callers now sign the crash (crash() for null-write, the handler's side for in-handler).
        File.WriteAllText(rules.File("prefix.txt"), "# a user's rules\nwrite_record\n");
        Assert.Equal("write_record | crash", Signature(dump, rules.Path));
        // In the handler, the caller is the first frame gdb walks below write_record that is not the kernel's signal
        // frame or raise and its pthread_kill (irrelevant): at -O2 the handler tail-calls write_record and leaves no frame of its own.
        var gdb = GdbCrash.Run(dumps.Binary, "in-handler").Frames.Where(f => f.OnStack).Select(f => f.Function).ToList();
        output.WriteLine("in-handler gdb: " + string.Join(", ", gdb));
        Assert.Equal("write_record", gdb[0]);
        string handlerCaller = gdb.Skip(1).First(f => f is not ("<signal handler called>" or "raise" or "__GI_raise" or "gsignal") && !f.StartsWith("__pthread_kill", StringComparison.Ordinal));
        Assert.Equal($"write_record | {handlerCaller}", Signature(dumps.Dumps["in-handler"][0], rules.Path));
        Assert.NotEqual("crash", handlerCaller);
        // An irrelevant list without abort: the abort's signature stops at the first frame that is not a prefix one.
        File.WriteAllText(rules.File("irrelevant.txt"), "__restore_rt\n");
        string abort = Signature(dumps.Dumps["abort"][0], rules.Path);
        Assert.NotEqual("call_abort", abort);
        Assert.DoesNotContain("call_abort", abort);
        // The text report says the same.
        var text = Tool.Run(CrashFixture.Wer, ["analyze", "--signature-rules", rules.Path, dump]);
        Assert.Contains("signature: write_record | crash\n", text.Output);
    }

    [Fact]
    public void AMalformedRulesFolderIsAUsageError()
    {
        using var rules = new TempDir();
        File.WriteAllText(rules.File("rename.txt"), "__strlen_* strlen extra\n");
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--signature-rules", rules.Path, dumps.Dumps["null-write"][0]]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("rename.txt", r.Error);
        var missing = Tool.Run(CrashFixture.Wer, ["analyze", "--signature-rules", rules.File("absent"), dumps.Dumps["null-write"][0]]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such folder", missing.Error);
    }

    private static string Signature(string dump, string? rules = null)
    {
        using var json = SignatureDumps.Analyze(dump, rules);
        return json.RootElement.GetProperty("signature").GetString()!;
    }

    private static JsonElement Module(JsonElement root, string fileName) =>
        root.GetProperty("modules").EnumerateArray().First(m => m.GetProperty("filename").GetString() == fileName);

    private static ulong Hex(JsonElement e) => Convert.ToUInt64(e.GetString()![2..], 16);
}
