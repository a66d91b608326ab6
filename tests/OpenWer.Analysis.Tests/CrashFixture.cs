using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// tests/fixtures/native/analyze-crashes.c built at test time in variants (-O0/-O2, with and without frame pointers,
/// and two without .eh_frame for its own functions, so that frame pointers and then scanning must find their callers),
/// and the dump of one of its crashes taken by `wer run`.
/// </summary>
public static class CrashFixture
{
    public static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private static readonly string Folder = Directory.CreateTempSubdirectory("openwer-analyze-fixture-").FullName;
    private static readonly Dictionary<string, string> Built = [];
    private static readonly Lock Gate = new();

    public static readonly string[] Variants = ["O0-fp", "O0-nofp", "O2-fp", "O2-nofp", "O0-fp-nocfi", "O2-nofp-nocfi"];

    /// <summary>The binary of a variant, built on first use.</summary>
    public static string Binary(string variant)
    {
        lock (Gate)
        {
            if (Built.TryGetValue(variant, out var known))
                return known;
            string level = variant[..2], frame = variant.Contains("-fp", StringComparison.Ordinal) ? "-fno-omit-frame-pointer" : "-fomit-frame-pointer";
            // Without unwind tables gcc writes the CFI to .debug_frame only (gdb reads it; the walk reads .eh_frame).
            string[] cfi = variant.EndsWith("-nocfi", StringComparison.Ordinal) ? ["-fno-asynchronous-unwind-tables"] : [];
            string output = Path.Combine(Folder, "analyze-crashes-" + variant);
            string source = Path.Combine(RepoPaths.Root, "tests/fixtures/native/analyze-crashes.c");
            var r = Tool.Run("cc", [$"-{level}", frame, .. cfi, "-g", "-o", output, source]);
            Assert.True(r.ExitCode == 0, "cc failed: " + r.All);
            Built[variant] = output;
            return output;
        }
    }

    /// <summary>Runs the crash under `wer run` and returns the dump it wrote.</summary>
    public static string Dump(string binary, string mode, string type, TempDir dir)
    {
        string folder = dir.File("dumps-" + mode);
        var r = Tool.Run(Wer, ["run", "--type", type, "--folder", folder, "--settings", dir.File("none.ini"), "--", binary, mode], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode > 128, $"{mode} did not crash: {r.All}");
        return Assert.Single(Directory.GetFiles(folder, "*.dmp"));
    }
}
