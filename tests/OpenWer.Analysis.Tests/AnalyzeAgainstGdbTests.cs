using System.Globalization;
using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// `wer analyze --json` on the dump of a real crash against gdb on the same program run to the same fault: the
/// signal, si_code and fault address equal gdb's $_siginfo, the reason is the one the crash was built to have, and
/// the crashing thread's functions equal the frames gdb walks, frame by frame, through main.
/// </summary>
public sealed class AnalyzeAgainstGdbTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Reasons = new()
    {
        ["null-write"] = "null-pointer",
        ["null-call"] = "null-function-call",
        ["abort"] = "abort",
        ["overflow"] = "stack-overflow",
        ["libc-strlen"] = "unmapped-address",
        ["readonly-write"] = "write-to-read-only-memory",
        ["non-canonical"] = "non-canonical-address",
        ["exec-nx"] = "execute-non-executable",
        ["in-handler"] = "null-pointer",
    };

    /// <summary>Frames compared for the unbounded recursion (gdb would walk all of its tens of thousands).</summary>
    private const int OverflowFrames = 40;

    public static TheoryData<string, string> Crashes()
    {
        var data = new TheoryData<string, string>();
        foreach (var mode in Reasons.Keys)
            foreach (var variant in CrashFixture.Variants)
                data.Add(mode, variant);
        return data;
    }

    [Theory]
    [MemberData(nameof(Crashes))]
    public void TheCrashAndItsFramesEqualGdbs(string mode, string variant)
    {
        using var dir = new TempDir();
        string binary = CrashFixture.Binary(variant);
        // A mini dump of an overflow keeps the stack above the guard the stack pointer ran into.
        string dump = CrashFixture.Dump(binary, mode, "mini", dir);
        var gdb = GdbCrash.Run(binary, mode, OverflowFrames);

        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--json", dump]);
        Assert.True(r.ExitCode == 0, r.All);
        using var json = JsonDocument.Parse(r.Output);
        var root = json.RootElement;
        var crash = root.GetProperty("crash_info");
        Assert.StartsWith(gdb.Signal + " ", crash.GetProperty("type").GetString() + " ");
        Assert.Equal(gdb.SiCode, crash.GetProperty("si_code").GetInt32());
        Assert.Equal(Reasons[mode], crash.GetProperty("reason").GetString());

        var thread = root.GetProperty("crashing_thread");
        ulong address = Hex(crash.GetProperty("address")), sp = Hex(thread.GetProperty("registers").GetProperty("rsp"));
        var modules = root.GetProperty("modules").EnumerateArray().ToList();
        ulong exeBase = Hex(modules[root.GetProperty("main_module").GetInt32()].GetProperty("base_addr"));
        switch (mode)
        {
            case "null-write" or "null-call" or "libc-strlen" or "non-canonical" or "in-handler":
                Assert.Equal(gdb.SiAddr, address);
                if (mode == "non-canonical")
                    // The kernel gives no address for a general protection fault; the decoded store gives the pointer the source holds.
                    Assert.Contains("0x1000000000040", crash.GetProperty("description").GetString());
                break;
            case "readonly-write" or "exec-nx":
                // ASLR moves the executable between the two runs; the offset into it stays.
                Assert.Equal(gdb.SiAddr - gdb.ExecutableBase, address - exeBase);
                break;
            case "overflow":
                // The stack moves between the runs, and with it which instruction of recurse() meets the guard first
                // (the push or the store into pad[]): both faults lie next to the stack pointer, and gdb's below the
                // stack mapping.
                Assert.True(gdb.SiAddr < gdb.StackStart, $"gdb's fault 0x{gdb.SiAddr:x} is not below the stack at 0x{gdb.StackStart:x}");
                Assert.InRange((long)(gdb.SiAddr - gdb.Sp), -4096, 4096);
                Assert.InRange((long)(address - sp), -4096, 4096);
                break;
        }

        var paths = modules.ToDictionary(m => m.GetProperty("filename").GetString()!, m => m.GetProperty("path").GetString()!);
        var ours = thread.GetProperty("frames").EnumerateArray().Select(f => (
            Function: f.GetProperty("function").GetString() ?? "??",
            Path: f.GetProperty("module").GetString() is { } m ? paths[m] : null,
            Start: f.GetProperty("function").ValueKind == JsonValueKind.Null ? 0 : Hex(f.GetProperty("module_offset")) - Hex(f.GetProperty("function_offset")),
            Trust: f.GetProperty("trust").GetString())).ToList();
        var truth = gdb.Frames.Where(f => f.OnStack).Select(f => f.Function).ToList();
        int skipped = gdb.Frames.Count - truth.Count;
        if (mode == "overflow")
        {
            truth = truth.Take(OverflowFrames).ToList();
            ours = ours.Take(OverflowFrames).ToList();
        }
        else
        {
            // gdb stops at main ("backtrace past-main" is off); so does the comparison.
            Assert.Contains("main", truth);
            truth = truth[..(truth.IndexOf("main") + 1)];
            int main = ours.FindIndex(f => f.Function == "main");
            Assert.True(main >= 0, "our walk never reached main: " + string.Join(", ", ours.Select(f => f.Function)));
            ours = ours[..(main + 1)];
        }
        int equal = ours.Zip(truth).Count(p => Same(p.First, p.Second));
        output.WriteLine($"{mode} {variant}: {equal} of {truth.Count} frames equal gdb's ({skipped} frames gdb made up from debug information not compared); " +
            $"trust: {string.Join(" ", ours.Select(f => f.Trust))}");
        output.WriteLine("ours: " + string.Join(", ", ours.Select(f => f.Function)));
        output.WriteLine("gdb:  " + string.Join(", ", truth));
        Assert.Equal(truth.Count, ours.Count);
        Assert.Equal(truth.Count, equal);
        // Without .eh_frame for the fixture's functions, their callers were found by the way the variant leaves open.
        if (variant.EndsWith("-nocfi", StringComparison.Ordinal) && mode is not "abort" and not "in-handler")
            Assert.Contains(variant.Contains("-fp", StringComparison.Ordinal) ? "frame_pointer" : "scan", ours.Skip(1).Select(f => f.Trust));
    }

    private static bool Same((string Function, string? Path, ulong Start, string? Trust) ours, string gdb) =>
        ours.Function == gdb || (gdb == "<signal handler called>" && ours.Function == "__restore_rt") || (ours.Path is not null && ours.Function != "??" && SymbolAliases.At(ours.Path, ours.Start).Contains(gdb));

    private static ulong Hex(JsonElement e) => Convert.ToUInt64(e.GetString()![2..], 16);
}
