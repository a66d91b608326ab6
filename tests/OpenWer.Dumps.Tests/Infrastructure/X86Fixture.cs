using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// 32-bit x86 processes for the tests: tests/fixtures/native/target.c built with cc -m32 (gcc-multilib), the
/// vDSO of a live i386 process as a file, and lldb-16 and gdb read frame by frame.
/// </summary>
public static partial class X86Fixture
{
    private static readonly Lazy<string> Target = new(() =>
        FixtureCompiler.Build(RepoPaths.NativeFixtureSource, Path.Combine(FixtureCompiler.Folder("openwer-fixture32"), "target32"),
            FixtureCompiler.DebugThreaded, FixtureCompiler.TargetLibraries, m32: true));

    /// <summary>target.c as an i386 program.</summary>
    public static string TargetPath => Target.Value;

    /// <summary>
    /// Copies the vDSO of a live process into <paramref name="folder"/> as linux-gate.so (the name the dump gives
    /// it). An i386 thread in a system call stops inside the vDSO's __kernel_vsyscall, and only the vDSO's own
    /// unwind tables lead out of it. gdb reads them from the live process's memory. lldb looks a module up as a
    /// file (by name and build-id) and does not read a module from the dump's memory, so it needs the file.
    /// </summary>
    public static string SaveVdso(int pid, string folder)
    {
        var line = File.ReadAllLines($"/proc/{pid}/maps").Single(l => l.EndsWith("[vdso]", StringComparison.Ordinal));
        var range = line.Split(' ')[0].Split('-');
        ulong start = Convert.ToUInt64(range[0], 16), end = Convert.ToUInt64(range[1], 16);
        var bytes = new byte[end - start];
        using (var mem = new FileStream($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read))
        {
            mem.Seek((long)start, SeekOrigin.Begin);
            mem.ReadExactly(bytes);
        }
        string path = Path.Combine(folder, "linux-gate.so");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>lldb-16 on a dump, with <paramref name="searchPath"/> searched for module files (the saved vDSO).</summary>
    public static string Lldb(string dump, string searchPath, params string[] commands)
    {
        var args = new List<string> { "-b", "--no-lldbinit", "-O", $"settings set target.exec-search-paths {searchPath}", "-c", dump };
        foreach (var c in commands)
        {
            args.Add("-o");
            args.Add(c);
        }
        // lldb-16 now and then aborts at exit after every command has run (see Lldb.RunRaw): repeated, at most twice.
        var result = Tool.Run(Tool.Require("lldb-16"), args, TimeSpan.FromMinutes(3));
        for (int attempt = 0; attempt < 2 && result.ExitCode == 134; attempt++)
            result = Tool.Run(Tool.Require("lldb-16"), args, TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, $"lldb failed ({result.ExitCode}): {result.All}");
        return result.All;
    }

    /// <summary>Per thread (in lldb's order, tid from "thread list"), the named registers lldb reads.</summary>
    public static Dictionary<int, Dictionary<string, ulong>> LldbRegisters(string dump, string searchPath, IReadOnlyList<string> names)
    {
        var threads = Infrastructure.Lldb.ThreadIds(Lldb(dump, searchPath, "thread list"));
        var commands = new List<string>();
        for (int i = 1; i <= threads.Count; i++)
        {
            commands.Add($"thread select {i}");
            commands.Add($"register read {string.Join(' ', names)}");
        }
        string output = Lldb(dump, searchPath, [.. commands]);
        var blocks = output.Split("(lldb) thread select ").Skip(1).ToList();
        Assert.Equal(threads.Count, blocks.Count);
        var result = new Dictionary<int, Dictionary<string, ulong>>();
        for (int i = 0; i < threads.Count; i++)
        {
            var values = new Dictionary<string, ulong>();
            foreach (var name in names)
            {
                var m = Regex.Match(blocks[i], $@"\b{name} = 0x([0-9a-f]+)");
                Assert.True(m.Success, $"lldb shows no {name} for thread {threads[i]}: {blocks[i]}");
                values[name] = Convert.ToUInt64(m.Groups[1].Value, 16);
            }
            result[threads[i]] = values;
        }
        return result;
    }

    /// <summary>The pc of every frame of every thread, innermost first, from lldb's "bt all" (threads in "thread list" order).</summary>
    public static Dictionary<int, List<ulong>> LldbFrames(string dump, string searchPath)
    {
        string output = Lldb(dump, searchPath, "thread list", "bt all");
        var threads = Infrastructure.Lldb.ThreadIds(output);
        var blocks = BtThread().Split(output[output.IndexOf("(lldb) bt all", StringComparison.Ordinal)..]).Skip(1).ToList();
        Assert.Equal(threads.Count, blocks.Count);
        return threads.Select((tid, i) => (tid, LldbFrame().Matches(blocks[i]).Select(m => Convert.ToUInt64(m.Groups[1].Value, 16)).ToList()))
            .ToDictionary(x => x.tid, x => x.Item2);
    }

    /// <summary>What gdb attached to a live process shows of each thread: its pthread_t (libthread_db) and its frames' pcs.</summary>
    public sealed record GdbThread(ulong PthreadSelf, List<ulong> Frames);

    /// <summary>Every thread from gdb attached to the live process, its frames innermost first (gdb stops at main).</summary>
    public static Dictionary<int, GdbThread> GdbThreads(int pid)
    {
        var gdb = Tool.Run("gdb", ["-batch", "-p", pid.ToString(CultureInfo.InvariantCulture), "-ex", "thread apply all frame apply all -q p/x $pc"]);
        var result = new Dictionary<int, GdbThread>();
        GdbThread? current = null;
        foreach (var line in gdb.All.Split('\n'))
        {
            if (GdbThreadLine().Match(line) is { Success: true } t)
                result[int.Parse(t.Groups[2].Value, CultureInfo.InvariantCulture)] = current = new GdbThread(Convert.ToUInt64(t.Groups[1].Value, 16), []);
            else if (current is not null && GdbValue().Match(line) is { Success: true } v)
                current.Frames.Add(Convert.ToUInt64(v.Groups[1].Value, 16));
        }
        Assert.True(result.Count > 0, "gdb showed no threads: " + gdb.All);
        return result;
    }

    [GeneratedRegex(@"^\s*\*?\s*thread #\d+", RegexOptions.Multiline)]
    private static partial Regex BtThread();

    [GeneratedRegex(@"frame #\d+: 0x([0-9a-f]+)")]
    private static partial Regex LldbFrame();

    [GeneratedRegex(@"^Thread \d+ \(Thread 0x([0-9a-f]+) \(LWP (\d+)\)")]
    private static partial Regex GdbThreadLine();

    [GeneratedRegex(@"^\$\d+ = 0x([0-9a-f]+)")]
    private static partial Regex GdbValue();
}
