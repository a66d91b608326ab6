using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// The source file and line of each frame of `wer analyze --json`, against gdb on the same program run to the same
/// fault: wherever gdb places a frame at FILE:LINE, ours is the same file and line, frame by frame through main,
/// in the fixture and in libc (whose lines come from Debian's separate debug file).
/// </summary>
public sealed class SourceLineTests(ITestOutputHelper output)
{
    private static readonly string[] Modes = ["null-write", "null-call", "abort", "overflow", "libc-strlen", "readonly-write", "non-canonical", "exec-nx", "in-handler"];

    public static TheoryData<string, string> Crashes()
    {
        var data = new TheoryData<string, string>();
        foreach (var mode in Modes)
            foreach (var variant in new[] { "O0-fp", "O2-nofp" })
                data.Add(mode, variant);
        return data;
    }

    [Theory]
    [MemberData(nameof(Crashes))]
    public void EachFramesFileAndLineEqualGdbs(string mode, string variant)
    {
        using var dir = new TempDir();
        string binary = CrashFixture.Binary(variant);
        var frames = SourceFrames.Analyze(CrashFixture.Dump(binary, mode, "mini", dir));
        var gdb = GdbSourceFrames.Physical(GdbSourceFrames.Run(binary, mode));
        int compared = SourceFrames.CompareWithGdb(frames, gdb, mode == "overflow", output);
        Assert.True(compared >= 2, $"only {compared} frames had a line in gdb's view");
        if (mode == "overflow")
        {
            Assert.Equal("recurse", frames[0].Function);
            var truth = SourceFrames.Addr2Line(binary, SourceFrames.LookupOffset(frames[0]));
            Assert.NotNull(truth);
            Assert.Equal(truth.Value, (frames[0].File, frames[0].Line ?? 0));
        }
        if (mode == "libc-strlen")
        {
            // The fault is in libc: its line comes from libc6-dbg's file under /usr/lib/debug/.build-id.
            Assert.Equal("libc.so.6", frames[0].Module);
            Assert.NotNull(frames[0].File);
        }
    }
}
