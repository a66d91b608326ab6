using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Contexts;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// A 32-bit (i386) program's crash, collected by `wer run` (ptrace) and by the machine-wide handler (from the
/// kernel's ELF32 core stream): an x86 dump whose faulting thread, signal and pc lldb-16 shows as gdb shows them
/// on the kernel's own core of the same crash.
/// </summary>
[Collection("core_pattern")]
public sealed class X86CrashTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private static readonly Lazy<string> Crasher32 = new(() =>
        FixtureCompiler.Build("crasher.c", Path.Combine(FixtureCompiler.Folder("openwer-crasher32"), "crasher32"), FixtureCompiler.DebugThreaded, m32: true));

    private readonly string _folder = Directory.CreateDirectory(Path.Combine(machine.Dir.Path, Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => machine.Reset();

    [Fact]
    public void WerRunDumpsA32BitCrashAsX86WithTheFaultingThreadAndPc()
    {
        string dumps = Path.Combine(_folder, "run");
        var r = Tool.Run(machine.Wer, ["run", "--folder", dumps, "--settings", Path.Combine(_folder, "none.ini"), "--", Crasher32.Value, "segv"], TimeSpan.FromMinutes(2));
        Assert.Equal(128 + 11, r.ExitCode);
        AssertX86CrashDump(Assert.Single(Directory.GetFiles(dumps, "*.dmp")));
    }

    [Fact]
    public void AnAbortIsWalkedOutOfTheVdsoToMainAsGdbWalksTheKernelsCore()
    {
        string dumps = Path.Combine(_folder, "abort");
        var r = Tool.Run(machine.Wer, ["run", "--folder", dumps, "--settings", Path.Combine(_folder, "none.ini"), "--", Crasher32.Value, "abort"], TimeSpan.FromMinutes(2));
        Assert.Equal(128 + 6, r.ExitCode);
        string dump = Assert.Single(Directory.GetFiles(dumps, "*.dmp"));
        // abort() stops in the vDSO's __kernel_vsyscall; lldb needs the vDSO as a file (see X86Fixture.SaveVdso),
        // and every i386 process of this kernel has the same one.
        string vdso = Directory.CreateDirectory(Path.Combine(_folder, "vdso")).FullName;
        using (var target = new NativeTarget(X86Fixture.TargetPath, ["--threads", "1", "--heap-mib", "0"]))
            X86Fixture.SaveVdso(target.Pid, vdso);
        string lldb = X86Fixture.Lldb(dump, vdso, "thread list", "bt");
        Assert.Contains("stop reason = signal SIGABRT", lldb);
        Assert.Matches(@"frame #0: 0x[0-9a-f]+ linux-gate.so`__kernel_vsyscall", lldb);
        string gdb = KernelCore.GdbBacktrace(Crasher32.Value, "abort", Directory.CreateDirectory(Path.Combine(_folder, "core")).FullName);
        var libc = KernelCore.GdbFunctions(gdb, new HashSet<string> { "raise", "abort", "__pthread_kill_implementation", "__pthread_kill_internal", "main" });
        Assert.Contains("main", libc);
        var ours = KernelCore.LldbFunctions(lldb[lldb.IndexOf("(lldb) bt", StringComparison.Ordinal)..], "crasher32");
        Assert.Equal(["main"], ours);
        // The frames between the vDSO and main, by name where gdb names them.
        var names = Regex.Matches(lldb, @"frame #\d+: 0x[0-9a-f]+ [^`\s]+`([A-Za-z_][A-Za-z0-9_]*)").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.All(libc, name => Assert.Contains(name, names));
    }

    [Fact]
    public void TheMachineWideHandlerDumpsA32BitCrashFromItsElf32Core()
    {
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        Assert.Equal(128 + 11, Tool.Run(Crasher32.Value, ["segv"]).ExitCode);
        Thread.Sleep(100);
        var dumps = Directory.GetFiles(_folder, "*.dmp");
        Assert.True(dumps.Length == 1, "no dump; the handler logged: " + machine.LogSince(log));
        AssertX86CrashDump(dumps[0]);
    }

    private void AssertX86CrashDump(string dump)
    {
        uint faulting;
        ulong teb;
        ContextX86 context;
        using (var reader = MinidumpReader.Open(dump))
        {
            Assert.Equal(ProcessorArchitecture.Intel, reader.ReadSystemInfo()!.Value.ProcessorArchitecture);
            Assert.All(reader.ReadThreads(), t => Assert.Equal((uint)ContextX86.Size, t.ThreadContext.DataSize));
            var e = reader.ReadException()!.Value;
            faulting = e.ThreadId;
            var thread = reader.ReadThreads().Single(t => t.ThreadId == faulting);
            teb = thread.Teb;
            context = reader.ReadContextX86(thread.ThreadContext);
            Assert.Equal(11u, e.ExceptionCode);
            Assert.Equal(16UL, e.ExceptionAddress); // si_addr of the 32-bit siginfo: the address written
            Assert.Equal(1u, e.ExceptionFlags); // SEGV_MAPERR
            Assert.Equal("owr-crasher", reader.ReadThreadNames()[faulting]);
            Assert.EndsWith("/crasher32", reader.ReadModules()[0].Name);
            Assert.Equal(ReadElf.BuildId(Crasher32.Value), Convert.ToHexStringLower(reader.ReadModules()[0].BuildId!));
        }

        string lldb = Lldb.Run(dump, "thread list", "bt", "register read eip");
        Assert.Contains("(i386) was loaded", lldb);
        Assert.Matches($@"\* thread #\d+: tid = {faulting}, .*stop reason = signal SIGSEGV", lldb);

        // The faulting pc as a function and offset (the addresses move with ASLR from run to run), and the frames.
        string coreFolder = Directory.CreateDirectory(Path.Combine(_folder, "core")).FullName;
        string gdb = KernelCore.GdbBacktrace(Crasher32.Value, "segv", coreFolder, "info symbol $pc");
        // gdb writes "function + offset", or just "function" at offset 0; so does lldb.
        var gdbPc = Regex.Match(gdb, @"^(\w+)(?: \+ (\d+))? in section \.text", RegexOptions.Multiline);
        Assert.True(gdbPc.Success, gdb);
        string offset = gdbPc.Groups[2].Success ? $@" \+ {gdbPc.Groups[2].Value}\b" : @"(?! \+)";
        Assert.Matches($@"eip = 0x[0-9a-f]+\s+crasher32`{gdbPc.Groups[1].Value}{offset}", lldb);
        // The x87 control word (FloatSave) and MXCSR (ExtendedRegisters, the FXSAVE image) are the kernel's initial
        // ones (0x37f, 0x1f80), which the crasher never changes. gdb cannot check them: it reads no floating-point
        // registers from an i386 core without NT_PRXFPREG, as this kernel writes it.
        Assert.Equal(0x37Fu, BitConverter.ToUInt32(context.FloatSave, 0) & 0xFFFF);
        Assert.Equal(0x1F80u, BitConverter.ToUInt32(context.ExtendedRegisters, 24));
        Assert.Equal(ContextX86.FlagAll, context.ContextFlags);
        // The crashing thread's Teb is the base of its %gs TLS segment: glibc's thread control block, whose first
        // word (tcbhead_t.tcb) points at itself. It lies at the top of the thread's stack mapping, so the dump holds it.
        Assert.NotEqual(0UL, teb);
        string tcb = Lldb.Run(dump, $"memory read -s4 -fx -c1 0x{teb:x}");
        Assert.Matches($@"0x{teb:x8}: 0x{teb:x8}", tcb);
        var ours = KernelCore.LldbFunctions(lldb[lldb.IndexOf("(lldb) bt", StringComparison.Ordinal)..], "crasher32");
        Assert.Contains("crash_in_thread", ours);
        Assert.Equal(KernelCore.GdbFunctions(gdb, ours.ToHashSet()), ours);
    }
}
