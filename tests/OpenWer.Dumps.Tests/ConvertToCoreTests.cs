using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// `wer convert DUMP --to core`: gdb opens the core of each dump type with the threads lldb-16 and /proc see, the
/// registers lldb-16 reads in the minidump, the heap marker's bytes where the dump holds them (and none where it does
/// not), the libraries and frames gdb sees on the live process, and for a crash the signal and the backtrace gdb
/// shows when it runs the program to the same fault. The program is a PIE, which Breakpad's minidump-2-core cannot
/// relocate (DsoDebugTests); on its core of the same dump gdb sees the same threads and registers.
/// </summary>
public sealed partial class ConvertToCoreTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private static readonly Lazy<string> Crasher = new(() =>
        FixtureCompiler.Build("crasher.c", Path.Combine(FixtureCompiler.Folder("openwer-crasher-core"), "crasher"), FixtureCompiler.DebugThreaded));
    private static readonly string[] GeneralRegisters =
        ["rip", "rsp", "rbp", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rflags"];
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DumpType.Micro)]
    [InlineData(DumpType.Mini)]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void TheCoreOfALiveDumpHasTheDumpsThreadsRegistersAndMemoryAndTheLiveProcesssFrames(DumpType type)
    {
        using var target = new NativeTarget(threads: 4);
        // The main thread waits on its stdin: it is in the same frames for gdb now and for the dump after.
        string live = Gdb.OnProcess(target.Pid, "info sharedlibrary", "thread apply all bt", "thread apply all p/x $fs_base");
        var tasks = target.TaskIds();
        string dump = _dir.File($"{type}.dmp"), core = _dir.File($"{type}.core");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, type == DumpType.Micro ? target.Pid : null, dump));
        target.AssertAlive();
        Convert(dump, core);

        ulong heap = target.Address("heap");
        string marker = target.Facts["heapmark"];
        // The memory first: a failing last command would make gdb exit 1.
        string gdb = Gdb.OnCore(NativeTarget.BinaryPath, core, $"x/s 0x{heap:x}", "info threads", "info sharedlibrary",
            "thread apply all bt", $"thread apply all printf \"{RegisterFormat()}\\n\", {RegisterValues()}", "thread apply all p/x $fs_base");

        // A requested dump: no signal, so no NT_SIGINFO and no signal in the threads' status.
        Assert.DoesNotContain("Program terminated with signal", gdb);
        Assert.DoesNotContain("NT_SIGINFO", Tool.Run("readelf", ["-n", core]).Output);
        // Threads: lldb on the dump, and /proc for every type but micro (the one thread asked for).
        var threads = GdbThreads(gdb);
        var lldbThreads = Lldb.ThreadIds(Lldb.Run(dump, "thread list"));
        Assert.Equal(lldbThreads.Order(), threads.Order());
        Assert.Equal(type == DumpType.Micro ? [target.Pid] : tasks, threads.Order());

        // Registers, thread by thread, as lldb-16 reads them in the minidump; fs_base as gdb reads it in the live process.
        Assert.Equal(LldbRegisters(dump, lldbThreads.Count), GdbRegisters(gdb));
        var liveFsBase = FsBases(live);
        foreach (var (tid, fsBase) in FsBases(gdb))
            Assert.Equal(liveFsBase[tid], fsBase);

        // The heap marker: what lldb reads in the dump, gdb reads in the core; where the dump does not hold it, neither does the core.
        string? inDump = Lldb.ReadMemoryAscii(dump, heap, marker.Length);
        var shown = Regex.Match(gdb, $@"^0x{heap:x}:\s+(?:""(.*)""|<error: (.*)>)$", RegexOptions.Multiline);
        Assert.True(shown.Success, "gdb showed nothing at the heap marker: " + gdb);
        string? inCore = shown.Groups[1].Success ? shown.Groups[1].Value : null;
        if (type is DumpType.Heap or DumpType.Full)
            Assert.Equal(marker, inDump);
        Assert.Equal(inDump, inCore);
        if (inCore is null)
            Assert.Contains($"Cannot access memory at address 0x{heap:x}", gdb);

        // gdb on the core and on the live process: the same libraries and the same frames of the main thread.
        var libraries = Gdb.SharedLibraries(live);
        Assert.Contains(libraries, l => l.Name.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.Equal(libraries, Gdb.SharedLibraries(gdb));
        var frames = Gdb.Frames(live, target.Pid);
        Assert.Equal(["serve_commands", "main"], frames.TakeLast(2));
        Assert.Equal(frames, Gdb.Frames(gdb, target.Pid));

        // Breakpad's minidump-2-core on the same dump: gdb sees the same threads with the same rip and rsp.
        string breakpad = BreakpadCore(dump);
        string other = Gdb.OnCore(NativeTarget.BinaryPath, breakpad, $"thread apply all printf \"{RegisterFormat()}\\n\", {RegisterValues()}");
        Assert.Equal(GdbRegisters(other).ToDictionary(t => t.Key, t => t.Value[..2]), GdbRegisters(gdb).ToDictionary(t => t.Key, t => t.Value[..2]));
    }

    [Theory]
    [InlineData("micro")]
    [InlineData("mini")]
    [InlineData("heap")]
    [InlineData("full")]
    public void TheCoreOfACrashDumpShowsTheSignalAndTheBacktraceGdbSawAtTheFault(string type)
    {
        // The truth: gdb running the program to the fault (SIGSEGV in a thread other than the main one).
        var atFault = Tool.Run("gdb", ["-batch", "-nx", "-ex", "run", "-ex", "bt", "-ex", "p $_siginfo.si_signo", "-ex", "p $_siginfo.si_code",
            "-ex", "p $_siginfo._sifields._sigfault.si_addr", "--args", Crasher.Value, "segv"], TimeSpan.FromMinutes(2)).All;
        Assert.Contains("received signal SIGSEGV", atFault);
        var expected = BacktraceFunctions(atFault);
        Assert.Equal(["crash_in_thread", "segv_thread"], expected.Take(2));

        string folder = _dir.File("dumps");
        var run = Tool.Run(Wer, ["run", "--type", type, "--folder", folder, "--settings", _dir.File("none.ini"), "--", Crasher.Value, "segv"], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode > 128, "the crasher did not crash: " + run.All);
        string dump = Assert.Single(Directory.GetFiles(folder, "*.dmp")), core = _dir.File($"{type}.core");
        Convert(dump, core);

        string gdb = Gdb.OnCore(Crasher.Value, core, "info threads", "bt", "p $_siginfo.si_signo", "p $_siginfo.si_code",
            "p $_siginfo._sifields._sigfault.si_addr", $"thread apply all printf \"{RegisterFormat()}\\n\", {RegisterValues()}");
        Assert.Contains("Program terminated with signal SIGSEGV", gdb);
        // The crashing thread is the one gdb selects (the first of the core), and the one lldb says stopped with the signal.
        string lldb = Lldb.Run(dump, "thread list");
        int crashed = int.Parse(CrashedThread().Match(lldb).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(crashed, int.Parse(CurrentThread().Match(gdb).Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(Lldb.ThreadIds(lldb).Order(), GdbThreads(gdb).Order());
        // si_signo, si_code and si_addr, as gdb printed them at the fault.
        Assert.Equal(Values(atFault), Values(gdb));
        Assert.Equal(expected, BacktraceFunctions(gdb));
        Assert.Equal(LldbRegisters(dump, Lldb.ThreadIds(lldb).Count), GdbRegisters(gdb));
    }

    [Theory]
    [InlineData(DumpType.Mini)]
    [InlineData(DumpType.Full)]
    public void TheCoreOfAnI386DumpIsAnElf32CoreWithTheDumpsThreadsAndRegisters(DumpType type)
    {
        using var target = new NativeTarget(X86Fixture.TargetPath, ["--threads", "3", "--heap-mib", "0"]);
        string live = Gdb.OnProcess(target.Pid, "thread apply all bt");
        var tasks = target.TaskIds();
        string dump = _dir.File($"{type}.dmp"), core = _dir.File($"{type}.core");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, null, dump));
        target.AssertAlive();
        var r = Tool.Run(Wer, ["convert", dump, "-o", core], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, "wer convert failed: " + r.All);
        var header = Tool.Run("readelf", ["-h", core]).Output;
        Assert.Contains("ELF32", header);
        Assert.Contains("Intel 80386", header);

        string[] names = ["eip", "esp", "ebp", "eax", "ebx", "ecx", "edx", "esi", "edi"];
        string gdb = Gdb.OnCore(X86Fixture.TargetPath, core, "info threads", "thread apply all bt",
            $"thread apply all printf \"{string.Join(' ', ["REGS", .. names.Select(_ => "%x")])}\\n\", {string.Join(", ", names.Select(n => "$" + n))}");
        Assert.Equal(tasks, GdbThreads(gdb).Order());
        string vdso = Directory.CreateDirectory(_dir.File("vdso")).FullName;
        X86Fixture.SaveVdso(target.Pid, vdso);
        var lldb = X86Fixture.LldbRegisters(dump, vdso, names);
        var ours = GdbRegisters(gdb);
        Assert.Equal(lldb.Keys.Order(), ours.Keys);
        foreach (var (tid, values) in ours)
            Assert.Equal(names.Select(n => lldb[tid][n]), values);
        // The main thread's frames below the vDSO, which a mini dump does not hold (docs/convert.md); all of them in a full dump.
        var frames = Gdb.Frames(live, target.Pid);
        Assert.Equal(["serve_commands", "main"], frames.TakeLast(2));
        var converted = Gdb.Frames(gdb, target.Pid);
        Assert.Equal(type == DumpType.Full ? frames : frames.SkipWhile(f => f != "fgets"), type == DumpType.Full ? converted : converted.SkipWhile(f => f != "fgets"));
    }

    [Fact]
    public void TheCoreOfADumpWithTheAvxStateHasTheYmmRegistersOfTheLiveProcess()
    {
        using var target = new NativeTarget(threads: 3);
        string[] ymm = [.. Enumerable.Range(0, 16).Select(i => $"p/x $ymm{i}.v8_int32")];
        // The threads wait (stdin, nanosleep): their vector registers are the same now and at the dump.
        string live = Gdb.OnProcess(target.Pid, [.. ymm.Select(c => "thread apply all " + c)]);
        string dump = _dir.File("avx.dmp"), core = _dir.File("avx.core");
        LiveDumper.Dump(new DumpRequest(target.Pid, DumpTypeFlags.For(DumpType.Mini) | Format.MinidumpType.WithAvxXStateContext, null, false, dump));
        target.AssertAlive();
        Convert(dump, core);
        Assert.Contains("NT_X86_XSTATE", Tool.Run("readelf", ["-n", core]).Output);
        string gdb = Gdb.OnCore(NativeTarget.BinaryPath, core, [.. ymm.Select(c => "thread apply all " + c)]);
        var expected = VectorValues(live);
        Assert.Equal(16 * target.TaskIds().Count, expected.Count);
        Assert.Equal(expected, VectorValues(gdb));
    }

    /// <summary>Each "$N = {...}" gdb printed, by its thread's LWP, in order.</summary>
    private static List<(int Lwp, string Value)> VectorValues(string output)
    {
        var result = new List<(int, string)>();
        int lwp = 0;
        foreach (var line in output.Split('\n'))
        {
            if (ThreadHeading().Match(line) is { Success: true } h)
                lwp = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (Regex.Match(line, @"^\$\d+ = (\{.*\})$") is { Success: true } v && lwp != 0)
                result.Add((lwp, v.Groups[1].Value));
        }
        return [.. result.OrderBy(r => r.Item1)];
    }

    [Fact]
    public void WhatIsNotAMinidumpIsRefusedAndNoCoreIsLeft()
    {
        string text = _dir.File("notes.txt");
        File.WriteAllText(text, "not a dump\n");
        AssertRefused(["convert", text, "--to", "core", "-o", _dir.File("out.core")], 1, "notes.txt", "is not a readable minidump", "no core was written");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(4096)]
    [InlineData(-1)]
    public void AMinidumpCutShortIsRefusedAndNoCoreIsLeft(int length)
    {
        using var target = new NativeTarget(threads: 2);
        string dump = _dir.File("mini.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, DumpType.Mini, null, dump));
        var bytes = File.ReadAllBytes(dump);
        // -1: just the last byte is missing (the end of the memory the dump holds).
        File.WriteAllBytes(dump, bytes[..(length < 0 ? bytes.Length - 1 : length)]);
        // The file still starts with the signature: --to defaults to core.
        AssertRefused(["convert", dump, "-o", _dir.File("out.core")], 1, "mini.dmp", "is not a readable minidump", "no core was written");
    }

    [Fact]
    public void TypeAndFlagsAreForMinidumpsOnly()
    {
        using var target = new NativeTarget(threads: 2);
        string dump = _dir.File("mini.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, DumpType.Mini, null, dump));
        AssertRefused(["convert", dump, "--type", "full", "-o", _dir.File("out.core")], 2, "mini.dmp", "a core holds all the minidump does");
    }

    [Fact]
    public void AnArm64DumpIsRefusedAsAnArchitectureNotWritten()
    {
        // An arm64 dump, of a made-up arm64 core (this machine runs no arm64 process).
        string core = _dir.File("arm64.core"), dump = _dir.File("arm64.dmp");
        var regs = new ulong[34];
        regs[31] = 0x0000ffffd0000700;
        regs[32] = 0x0000aaaab0000010;
        new Arm64CoreBuilder().Thread(4242, regs, 0, 0, 0).Memory(0x0000ffffd0000000, new byte[0x1000], 6).WriteTo(core, 11, 1, 0, "arm64-program");
        var made = Tool.Run(Wer, ["convert", core, "--to", "minidump", "-o", dump], TimeSpan.FromMinutes(2));
        Assert.True(made.ExitCode == 0, made.All);
        File.Delete(core);
        AssertRefused(["convert", dump, "-o", _dir.File("out.core")], 2, "arm64.dmp", "x86_64 and i386");
    }

    private void AssertRefused(string[] args, int code, string input, params string[] says)
    {
        var r = Tool.Run(Wer, args, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == code, $"exit {r.ExitCode}, not {code}: {r.All}");
        foreach (var s in says)
            Assert.Contains(s, r.Error);
        // Nothing but the input: no core, no temporary file.
        Assert.Equal([input], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    private static void Convert(string dump, string core)
    {
        var r = Tool.Run(Wer, ["convert", dump, "--to", "core", "-o", core], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, "wer convert failed: " + r.All);
        // readelf, independently: an x86_64 core.
        var header = Tool.Run("readelf", ["-h", core]).Output;
        Assert.Contains("CORE (Core file)", header);
        Assert.Contains("Advanced Micro Devices X86-64", header);
    }

    private string BreakpadCore(string dump)
    {
        string core = _dir.File("breakpad.core");
        var r = Tool.Run(Breakpad.MinidumpToCore, ["-o", core, dump]);
        Assert.True(r.ExitCode == 0, "minidump-2-core failed: " + r.All);
        return core;
    }

    private static string RegisterFormat() => string.Join(' ', ["REGS", .. GeneralRegisters.Select(_ => "%lx")]);

    private static string RegisterValues() => string.Join(", ", GeneralRegisters.Select(r => r == "rflags" ? "$eflags" : "$" + r));

    /// <summary>Each thread's general registers in "thread apply all printf" output, by LWP, in <see cref="GeneralRegisters"/> order.</summary>
    private static SortedDictionary<int, ulong[]> GdbRegisters(string output)
    {
        var result = new SortedDictionary<int, ulong[]>();
        int lwp = 0;
        foreach (var line in output.Split('\n'))
        {
            if (ThreadHeading().Match(line) is { Success: true } h)
                lwp = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (line.StartsWith("REGS ", StringComparison.Ordinal) && lwp != 0)
                result[lwp] = line[5..].Trim().Split(' ').Select(v => System.Convert.ToUInt64(v, 16)).ToArray();
        }
        return result;
    }

    /// <summary>Each thread's general registers as lldb-16 reads them in the minidump, by tid.</summary>
    private static SortedDictionary<int, ulong[]> LldbRegisters(string dump, int threads)
    {
        var commands = new List<string>();
        for (int i = 1; i <= threads; i++)
            commands.AddRange([$"thread select {i}", "thread info", "register read " + string.Join(' ', GeneralRegisters)]);
        var result = new SortedDictionary<int, ulong[]>();
        int tid = 0;
        var values = new Dictionary<string, ulong>();
        foreach (var line in Lldb.Run(dump, [.. commands]).Split('\n'))
        {
            if (LldbThreadInfo().Match(line) is { Success: true } t)
            {
                tid = int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture);
                values.Clear();
            }
            else if (LldbRegister().Match(line) is { Success: true } r && tid != 0)
            {
                values[r.Groups[1].Value] = System.Convert.ToUInt64(r.Groups[2].Value, 16);
                if (values.Count == GeneralRegisters.Length)
                    result[tid] = GeneralRegisters.Select(n => values[n]).ToArray();
            }
        }
        Assert.True(result.Count == threads, "lldb printed no registers of some thread");
        return result;
    }

    private static Dictionary<int, ulong> FsBases(string output)
    {
        var result = new Dictionary<int, ulong>();
        int lwp = 0;
        foreach (var line in output.Split('\n'))
        {
            if (ThreadHeading().Match(line) is { Success: true } h)
                lwp = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (ValueLine().Match(line) is { Success: true } v && lwp != 0)
                result[lwp] = System.Convert.ToUInt64(v.Groups[1].Value, 16);
        }
        return result;
    }

    private static List<int> GdbThreads(string output) =>
        InfoThreadsLine().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>The function of each frame of the last backtrace printed (gdb also shows frame #0 alone when it opens a core).</summary>
    private static List<string> BacktraceFunctions(string output) =>
        BacktraceLine().Matches(output[output.LastIndexOf("\n#0 ", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToList();

    private static List<string> Values(string output) => PrintedValue().Matches(output).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"^Thread \d+ \(.*LWP (\d+)\)")]
    private static partial Regex ThreadHeading();

    [GeneratedRegex(@"^\*?\s+\d+\s+(?:Thread 0x[0-9a-f]+ \()?LWP (\d+)", RegexOptions.Multiline)]
    private static partial Regex InfoThreadsLine();

    [GeneratedRegex(@"^\*\s+\d+\s+(?:Thread 0x[0-9a-f]+ \()?LWP (\d+)", RegexOptions.Multiline)]
    private static partial Regex CurrentThread();

    [GeneratedRegex(@"thread #\d+: tid = (\d+).*stop reason = signal SIGSEGV")]
    private static partial Regex CrashedThread();

    [GeneratedRegex(@"^thread #\d+: tid = (\d+)")]
    private static partial Regex LldbThreadInfo();

    [GeneratedRegex(@"^\s+(\w+) = 0x([0-9a-f]+)")]
    private static partial Regex LldbRegister();

    [GeneratedRegex(@"^\$\d+ = 0x([0-9a-f]+)$")]
    private static partial Regex ValueLine();

    [GeneratedRegex(@"^\$\d+ = (.+)$", RegexOptions.Multiline)]
    private static partial Regex PrintedValue();

    [GeneratedRegex(@"^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(", RegexOptions.Multiline)]
    private static partial Regex BacktraceLine();
}
