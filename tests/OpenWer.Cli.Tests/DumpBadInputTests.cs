using System.Diagnostics;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>`wer dump` on bad input: a clear message, a documented exit code, no file left behind, the target unharmed.</summary>
public sealed class DumpBadInputTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Tool.Result RunWer(params string[] args) => Tool.Run(Wer, args, TimeSpan.FromMinutes(2));

    private void AssertNoFilesLeft(string folder) => Assert.Empty(Directory.GetFiles(folder, ".*"));

    [Fact]
    public void NoSuchProcess()
    {
        var r = RunWer("dump", "999999999", "-o", _dir.File("x.dmp"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("no process with id 999999999", r.Error);
        Assert.False(File.Exists(_dir.File("x.dmp")));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"version\":2,\"processId\":1,\"flags\":0,\"outputPath\":\"/tmp/x.dmp\"}", "version 2")]
    [InlineData("{\"processId\":1,\"flags\":0,\"outputPath\":\"/tmp/x.dmp\"}", "version is missing")]
    [InlineData("{\"version\":1,\"processId\":1,\"flags\":0}", "outputPath is missing")]
    [InlineData("{\"processId\":1,\"flags\":0,\"outputPath\":\"/tmp/x.dmp\",\"shell\":\"rm -rf /\"}", "not valid JSON")]
    [InlineData("{\"version\":1,\"processId\":1,\"flags\":0,\"onlyThisThread\":true,\"outputPath\":\"/tmp/x.dmp\"}", "needs a threadId")]
    public void AMalformedRequestIsRefusedAndSaysWhy(string message, string error)
    {
        string request = _dir.File("request.json");
        File.WriteAllText(request, message);
        var r = RunWer("dump", "--request", request);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(error, r.Error);
        Assert.False(File.Exists("/tmp/x.dmp"));
    }

    [Fact]
    public void ARequestOnStdinDumpsWithItsExceptionAndMemory()
    {
        using var target = new NativeTarget(threads: 3);
        string dump = _dir.File("requested.dmp");
        int worker = target.Int("worker1");
        ulong heap = target.Address("heap");
        string message = $"{{\"version\":1,\"processId\":{target.Pid},\"threadId\":{worker},\"flags\":0,\"onlyThisThread\":true," +
            $"\"outputPath\":\"{dump}\",\"extraMemory\":[{{\"address\":{heap},\"size\":16}}],\"exception\":{{\"code\":11,\"flags\":1,\"address\":4096}}}}";
        var r = Tool.Run("/bin/sh", ["-c", "printf '%s' \"$1\" | \"$0\" dump --request -", Wer, message], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.All);
        target.AssertAlive();
        // lldb's view: the one thread, stopped by SIGSEGV, and the registered bytes readable.
        string threads = Lldb.Run(dump, "thread list");
        Assert.Equal([worker], Lldb.ThreadIds(threads));
        Assert.Contains("SIGSEGV", threads);
        Assert.StartsWith("HEAPMARK-", Lldb.ReadMemoryAscii(dump, heap, 9));
    }

    [Fact]
    public void OutputExistsIsLeftAlone()
    {
        using var target = new NativeTarget(threads: 3);
        string path = _dir.File("exists.dmp");
        File.WriteAllText(path, "keep me");
        var r = RunWer("dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", path);
        Assert.Equal(6, r.ExitCode);
        Assert.Contains("already exists", r.Error);
        Assert.Equal("keep me", File.ReadAllText(path));
        target.AssertAlive();
        AssertNoFilesLeft(_dir.Path);
    }

    [Fact]
    public void OutputFolderMissingOrUnwritable()
    {
        using var target = new NativeTarget(threads: 3);
        string pid = target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var missing = RunWer("dump", pid, "-o", _dir.File("no/such/folder/x.dmp"));
        Assert.Equal(6, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
        var unwritable = RunWer("dump", pid, "-o", "/proc/openwer-test.dmp");
        Assert.Equal(6, unwritable.ExitCode);
        Assert.Contains("cannot write in /proc", unwritable.Error);
        target.AssertAlive();
    }

    [Fact]
    public void DiskFullLeavesNoPartialFile()
    {
        using var target = new NativeTarget(threads: 3, heapMib: 16);
        string small = Directory.CreateDirectory(_dir.File("small")).FullName;
        var mount = Tool.Run("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", small]);
        Assert.True(mount.ExitCode == 0, "the disk-full test mounts a 2 MiB tmpfs and needs root: " + mount.All);
        try
        {
            string path = Path.Combine(small, "full.dmp");
            var r = RunWer("dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--type", "heap", "-o", path);
            Assert.Equal(6, r.ExitCode);
            Assert.Contains("full", r.Error);
            Assert.Empty(Directory.GetFileSystemEntries(small));
            target.AssertAlive();

            // The same folder takes a mini dump: the failure was the size, and said so.
            var mini = RunWer("dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--type", "mini", "-o", path);
            Assert.Equal(0, mini.ExitCode);
        }
        finally
        {
            Tool.Run("umount", [small]);
        }
    }

    [Fact]
    public void AnotherTracerIsNamed()
    {
        using var target = new NativeTarget(threads: 3);
        string pid = target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var gdb = Process.Start(new ProcessStartInfo("gdb", ["-batch", "-p", pid, "-ex", "shell sleep 3"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (TracerPid(target.Pid) == 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        int tracer = TracerPid(target.Pid);
        Assert.NotEqual(0, tracer);
        var r = RunWer("dump", pid, "-o", _dir.File("traced.dmp"));
        Assert.Equal(4, r.ExitCode);
        Assert.Contains($"another tracer is attached (pid {tracer}", r.Error);
        Assert.False(File.Exists(_dir.File("traced.dmp")));
        gdb.WaitForExit(30000);
        target.AssertAlive();
    }

    [Fact]
    public void TargetExitingMidDumpLeavesNoFile()
    {
        var target = new NativeTarget(threads: 4, heapMib: 768);
        string path = _dir.File("dying.dmp");
        using var wer = Process.Start(new ProcessStartInfo(Wer, ["dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--type", "full", "-o", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (TracerPid(target.Pid) == 0 && !wer.HasExited && DateTime.UtcNow < deadline)
            Thread.Sleep(1);
        Thread.Sleep(20); // into the memory copy
        target.Dispose(); // SIGKILL
        string error = wer.StandardError.ReadToEnd();
        wer.WaitForExit();
        Assert.True(wer.ExitCode == 5, $"exit {wer.ExitCode}: {error}");
        Assert.Contains("exited while it was being dumped", error);
        Assert.False(File.Exists(path));
        AssertNoFilesLeft(_dir.Path);
    }

    [Theory]
    [InlineData("--flags", "xyz", "not a hexadecimal number")]
    [InlineData("--flags", "0x4000000", "outside MiniDumpValidTypeFlags")]
    [InlineData("--type", "huge", "huge")]
    [InlineData("--thread", "1", "is not a thread of process")]
    public void BadArgumentsExitWithTwo(string option, string value, string message)
    {
        using var target = new NativeTarget(threads: 3);
        var r = RunWer("dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), option, value, "-o", _dir.File("bad.dmp"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error);
        Assert.False(File.Exists(_dir.File("bad.dmp")));
        target.AssertAlive();
    }

    [Fact]
    public void DefaultNameIsExeDotPidDotDmp()
    {
        using var target = new NativeTarget(threads: 3);
        var r = Tool.Run(Wer, ["dump", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], workingDirectory: _dir.Path);
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(_dir.File($"target.{target.Pid}.dmp")), r.All);
        target.AssertAlive();
    }

    private static int TracerPid(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("TracerPid:", StringComparison.Ordinal)) return int.Parse(line[10..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }
}
