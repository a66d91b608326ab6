using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// An arm64 core (the machine-wide handler's input on an arm64 machine, and what `wer convert` reads) becomes an
/// arm64 minidump with the registers lldb-16 reads in the core. The core is made up (this machine runs no arm64
/// process); lldb, not our reader, says what it holds. In the dump, lldb-16 reads x0-x28, fp, lr, sp and pc; it
/// takes cpsr, fpsr, fpcr and the V registers from Breakpad's old 796-byte layout, not from the Windows CONTEXT
/// that Crashpad, ClrMD and the DAC use, so those are checked with Breakpad's minidump_dump, which reads both.
/// </summary>
public sealed partial class Arm64CoreConvertTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private const ulong Stack = 0x0000ffffd0000000, Code = 0x0000aaaab0000000;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ulong[] Registers(int seed)
    {
        var regs = new ulong[34];
        for (int i = 0; i < 29; i++)
            regs[i] = 0x1111_0000_0000_0000UL * (ulong)(i % 15 + 1) + (ulong)(seed * 100 + i);
        regs[29] = Stack + 0x800 + (ulong)seed * 0x100; // fp
        regs[30] = Code + 0x40 + (ulong)seed;            // lr
        regs[31] = Stack + 0x700 + (ulong)seed * 0x100;  // sp
        regs[32] = Code + 0x10 + (ulong)seed * 4;        // pc
        regs[33] = 0x60001000;                           // pstate
        return regs;
    }

    private string Core()
    {
        string core = _dir.File("arm64.core");
        new Arm64CoreBuilder()
            .Thread(7001, Registers(1), fpsr: 0x08000010, fpcr: 0x03000000, tpidr: 0x0000ffff8000e020)
            .Thread(7002, Registers(2), fpsr: 0x00000001, fpcr: 0x00400000, tpidr: 0x0000ffff7000e020)
            .Memory(Code, new byte[0x1000], 5)
            .Memory(Stack, Enumerable.Range(0, 0x2000).Select(i => (byte)i).ToArray(), 6)
            .WriteTo(core, signal: 11, siCode: 1, faultAddress: 0x10, command: "made-up-arm64");
        return core;
    }

    /// <summary>"name = 0x..." pairs of lldb's register read, for each thread in turn.</summary>
    private static List<Dictionary<string, string>> LldbRegisters(params string[] args)
    {
        var commands = new List<string>();
        for (int t = 1; t <= 2; t++)
            commands.AddRange([$"thread select {t}", "register read x0 x7 x28 fp lr sp pc cpsr fpsr fpcr"]);
        var r = Tool.Run(Tool.Require("lldb-16"), [.. args, .. commands.SelectMany(c => new[] { "-o", c })], TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0, r.All);
        var threads = new List<Dictionary<string, string>>();
        foreach (var block in r.Output.Split("thread select").Skip(1))
            threads.Add(Register().Matches(block).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value));
        return threads;
    }

    [Fact]
    public void AnArm64CoreBecomesAnArm64MinidumpWithTheRegistersLldbReadsInTheCore()
    {
        string core = Core();
        string dump = _dir.File("arm64.dmp");
        var convert = Tool.Run(Wer, ["convert", core, "--to", "minidump", "--type", "mini", "-o", dump], TimeSpan.FromMinutes(2));
        Assert.True(convert.ExitCode == 0, convert.All);

        var inCore = LldbRegisters("-b", "--no-lldbinit", "-c", core);
        var inDump = LldbRegisters("-b", "--no-lldbinit", "-c", dump);
        Assert.Equal(2, inCore.Count);
        Assert.All(inCore, t => Assert.Equal(10, t.Count));
        Assert.Equal($"0x{Code + 0x14:x16}", inCore[0]["pc"]);
        // minidump_dump exits 1 for any stream a dump does not have (a mini dump has no MemoryInfoList); the thread list is all that is read here.
        var listing = Tool.Run(Breakpad.MinidumpDump, [dump]);
        Assert.DoesNotContain("GetThreadList() failed", listing.Error);
        var contexts = listing.Output.Split("MDRawContextARM64").Skip(1).Select(BreakpadContext).ToList();
        // The two threads' contexts, then the exception stream's: the crashing thread's.
        Assert.Equal(3, contexts.Count);
        Assert.Equal(contexts[0], contexts[2]);
        string[] lldbReadsInDumps = ["x0", "x7", "x28", "fp", "lr", "sp", "pc"];
        for (int t = 0; t < 2; t++)
        {
            string InCore(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"{n}={ulong.Parse(inCore[t][n][2..], NumberStyles.HexNumber):x}"));
            string a = InCore(lldbReadsInDumps), b = string.Join(", ", lldbReadsInDumps.Select(n => $"{n}={ulong.Parse(inDump[t][n][2..], NumberStyles.HexNumber):x}"));
            Assert.True(a == b, $"thread {t + 1}: lldb reads in the core\n{a}\nand in the dump\n{b}");
            string[] all = ["x0", "x7", "x28", "fp", "lr", "sp", "pc", "cpsr", "fpsr", "fpcr"];
            string c = string.Join(", ", all.Select(n => $"{n}={contexts[t][n]:x}"));
            Assert.True(InCore(all) == c, $"thread {t + 1}: lldb reads in the core\n{InCore(all)}\nand Breakpad in the dump\n{c}");
        }

        using var reader = MinidumpReader.Open(dump);
        Assert.Equal(ProcessorArchitecture.Arm64, reader.ReadSystemInfo()!.Value.ProcessorArchitecture);
        Assert.Equal([7001u, 7002u], reader.ReadThreads().Select(t => t.ThreadId));
        // TPIDR_EL0 (NT_ARM_TLS) is the thread's Teb, as Crashpad writes it; the signal is the crashing thread's.
        Assert.Equal([0x0000ffff8000e020UL, 0x0000ffff7000e020UL], reader.ReadThreads().Select(t => t.Teb));
        var e = reader.ReadException()!;
        Assert.Equal((7001u, 11u, 1u, 0x10UL), (e.Value.ThreadId, e.Value.ExceptionCode, e.Value.ExceptionFlags, e.Value.ExceptionAddress));
    }

    /// <summary>minidump_dump's MDRawContextARM64 block, by lldb's register names (iregs[29-32] are fp, lr, sp, pc).</summary>
    private static Dictionary<string, ulong> BreakpadContext(string block)
    {
        var values = BreakpadField().Matches(block).Where(m => m.Groups[2].Length <= 16).GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => ulong.Parse(g.First().Groups[2].Value, NumberStyles.HexNumber));
        string[] names = ["fp", "lr", "sp", "pc"];
        var result = new Dictionary<string, ulong> { ["cpsr"] = values["cpsr"], ["fpsr"] = values["float_save.fpsr"], ["fpcr"] = values["float_save.fpcr"] };
        for (int i = 0; i <= 32; i++)
            result[i < 29 ? $"x{i}" : names[i - 29]] = values[$"iregs[{i,2}]"];
        return result;
    }

    [GeneratedRegex(@"^\s*(\w+) = (0x[0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex Register();

    [GeneratedRegex(@"^\s+([\w.]+(?:\[[ \d]+\])?)\s+= 0x([0-9a-f]+)$", RegexOptions.Multiline)]
    private static partial Regex BreakpadField();
}
