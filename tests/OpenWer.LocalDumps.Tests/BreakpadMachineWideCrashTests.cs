using OpenWer.Dumps;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// Dumps the machine-wide handler writes from the kernel's core stream, in every type, read by Breakpad's
/// processor (BreakpadCrash says what is checked). LocalDumps has no micro type: the micro row is DumpType 0 with
/// micro's flags, which (as MiniDumpWriteDump's flags) keep every thread.
/// </summary>
[Collection("core_pattern")]
public sealed class BreakpadMachineWideCrashTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(machine.Dir.Path, Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => machine.Reset();

    [Theory]
    [InlineData("segv", "DumpType=0\nCustomDumpFlags=0x{0:x}", DumpType.Micro)]
    [InlineData("segv", "DumpType=1", DumpType.Mini)]
    [InlineData("segv", "DumpType=0\nCustomDumpFlags=0x{0:x}", DumpType.Heap)]
    [InlineData("segv", "DumpType=2", DumpType.Full)]
    [InlineData("abort", "DumpType=1", DumpType.Mini)]
    public void BreakpadSeesTheSignalTheFaultingThreadAndItsFrames(string mode, string typeSetting, DumpType type)
    {
        string setting = string.Format(System.Globalization.CultureInfo.InvariantCulture, typeSetting, (ulong)DumpTypeFlags.For(type));
        machine.Settings($"[LocalDumps]\nDumpFolder={_folder}\n{setting}\n");
        machine.Enable();
        machine.Crash(mode);
        string dump = Assert.Single(Directory.GetFiles(_folder, "*.dmp"));
        BreakpadCrash.Check(dump, mode, type, oneThread: false, Path.Combine(_folder, "symbols"));
    }
}
