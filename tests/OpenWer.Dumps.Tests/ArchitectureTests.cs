using System.Globalization;
using OpenWer.Dumps.Composition;
using OpenWer.Dumps.Refilter;
using OpenWer.Dumps.Selection;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Contexts;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;
using OpenWer.Snapshot;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// The architecture is the snapshot's, decided once by its source: each thread's context is of that architecture,
/// the composer writes it as it is, and a dump read back as a snapshot keeps it. The arm64 case cannot run here as a
/// process, so it is made up, and lldb-16 is the independent reader of what was written.
/// </summary>
public sealed class ArchitectureTests : IDisposable
{
    // Addresses a 32-bit process can have too.
    private const ulong Stack = 0xbf000000, Code = 0x400000;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ProcessSnapshot Process(ProcessorArchitecture architecture) => new SnapshotBuilder()
        .Architecture(architecture)
        .Map(Code, 0x2000, "r-xp", "/bin/made-up", 0xC0, inode: 7)
        .Map(Stack, 0x10000, "rw-p", "[stack]", 0x5A)
        .Thread(4242, Stack + 0xF000, Code + 0x123)
        .Thread(4243, Stack + 0xE000, Code + 0x456)
        .Build();

    private string Write(ProcessSnapshot snapshot, string name)
    {
        string path = _dir.File(name);
        using var file = File.Create(path);
        MinidumpComposer.Write(snapshot, DumpSelector.Select(snapshot, DumpTypeFlags.Mini), file, DateTimeOffset.UnixEpoch);
        return path;
    }

    [Fact]
    public void AnArm64SnapshotIsWrittenAsAnArm64DumpThatLldbReadsWithItsRegisters()
    {
        string path = Write(Process(ProcessorArchitecture.Arm64), "arm64.dmp");
        using (var dump = MinidumpReader.Open(path))
        {
            Assert.Equal(ProcessorArchitecture.Arm64, dump.ReadSystemInfo()!.Value.ProcessorArchitecture);
            Assert.All(dump.ReadThreads(), t => Assert.Equal((uint)ContextArm64.Size, t.ThreadContext.DataSize));
        }
        string output = Lldb.Run(path, "thread select 1", "register read pc sp lr", "thread select 2", "register read pc sp");
        Assert.Contains("arm64", Lldb.Run(path, "target list"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"pc = 0x{Code + 0x123:x16}", output);
        Assert.Contains($"sp = 0x{Stack + 0xF000:x16}", output);
        Assert.Contains($"lr = 0x{Code + 0x127:x16}", output);
        Assert.Contains($"pc = 0x{Code + 0x456:x16}", output);
        Assert.Contains($"sp = 0x{Stack + 0xE000:x16}", output);
    }

    [Theory]
    [InlineData(ProcessorArchitecture.Arm64)]
    [InlineData(ProcessorArchitecture.Intel)]
    [InlineData(ProcessorArchitecture.Amd64)]
    public void ADumpReadBackAsASnapshotKeepsItsArchitectureAndRegisters(ProcessorArchitecture architecture)
    {
        string path = Write(Process(architecture), "first.dmp");
        using var dump = MinidumpReader.Open(path);
        var again = MinidumpSnapshot.Read(dump);
        Assert.Equal(architecture, again.System.Architecture);
        Assert.All(again.Threads, t => Assert.Equal(architecture, t.Context.Architecture));
        Assert.Equal([(Code + 0x123, Stack + 0xF000), (Code + 0x456, Stack + 0xE000)],
            again.Threads.Select(t => (t.InstructionPointer, t.StackPointer)));
        // And written again (the re-filter's path), it is the same architecture with the same contexts.
        string second = Write(again, "second.dmp");
        using var reread = MinidumpReader.Open(second);
        Assert.Equal(architecture, reread.ReadSystemInfo()!.Value.ProcessorArchitecture);
        Assert.Equal(dump.ReadThreads().Select(t => t.ThreadContext.DataSize), reread.ReadThreads().Select(t => t.ThreadContext.DataSize));
    }

    [Fact]
    public void ASnapshotWhoseThreadsAreOfAnotherArchitectureIsRefused()
    {
        var amd64 = Process(ProcessorArchitecture.Amd64);
        var e = Assert.Throws<ArgumentException>(() => amd64 with { System = amd64.System with { Architecture = ProcessorArchitecture.Arm64 } });
        Assert.Contains("thread 4242's registers are Amd64, not the process's Arm64", e.Message);
    }
}
