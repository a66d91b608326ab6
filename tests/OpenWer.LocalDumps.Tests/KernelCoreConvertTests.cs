using System.Globalization;
using System.Text.RegularExpressions;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>`wer convert` of the kernel's own core of a crash: lldb-16 sees the signal on the thread and at the pc gdb sees in the core.</summary>
[Collection("core_pattern")]
public sealed partial class KernelCoreConvertTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("mini")]
    [InlineData("full")]
    public void AKernelCoreConvertsToAMinidumpWithTheCrashGdbSees(string type)
    {
        string core = KernelCore.Take(Crasher.Path_, "segv", Directory.CreateDirectory(_dir.File("core")).FullName);
        var gdb = Tool.Run("gdb", ["-batch", "-ex", "info threads", "-ex", "printf \"pc %lx\\n\", $pc", Crasher.Path_, core]).All;
        // "* 1    LWP 1234 ..." marks the thread the core was written for, the one that took the signal.
        int crashing = int.Parse(CurrentThread().Match(gdb).Groups[1].Value, CultureInfo.InvariantCulture);
        ulong pc = Convert.ToUInt64(Pc().Match(gdb).Groups[1].Value, 16);

        string dump = _dir.File($"{type}.dmp");
        var r = Tool.Run(Wer, ["convert", core, "--type", type, "-o", dump]);
        Assert.True(r.ExitCode == 0, r.All);
        string threads = Lldb.Run(dump, "thread list");
        var line = threads.Split('\n').Single(l => l.Contains($"tid = {crashing},", StringComparison.Ordinal));
        Assert.Contains("SIGSEGV", line);
        Assert.Contains($"0x{pc:x16}", line);
    }

    [GeneratedRegex(@"^\*\s+\d+\s+(?:Thread 0x[0-9a-f]+ \()?LWP (\d+)", RegexOptions.Multiline)]
    private static partial Regex CurrentThread();

    [GeneratedRegex(@"^pc ([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex Pc();
}
