using System.Buffers.Binary;
using System.Diagnostics;
using OpenWer.Analysis.Walking;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// A real dump whose crashing thread's stack bytes (or stack pointer) are overwritten with hostile values: the
/// walk ends, in bounded frames and time, every step moving the stack pointer up.
/// </summary>
public sealed class HostileStackTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Patterns() => ["self-pointers", "one-return-address", "random", "stack-pointer-at-the-top"];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void AWalkOverAHostileStackEndsInBoundedFrames(string pattern)
    {
        string original = CrashFixture.Dump(CrashFixture.Binary("O0-fp"), "null-write", "mini", _dir);
        ulong returnAddress;
        using (var dump = CrashDump.Open(original))
        {
            var frames = dump.Walk(dump.CrashingThread!).Frames;
            Assert.True(frames.Count > 3, "the unmodified dump walks");
            returnAddress = frames[1].Address;
        }
        string hostile = _dir.File("hostile.dmp");
        File.Copy(original, hostile);
        Corrupt(hostile, pattern, returnAddress);

        var clock = Stopwatch.StartNew();
        using (var dump = CrashDump.Open(hostile))
        {
            var stack = dump.Walk(dump.CrashingThread!);
            clock.Stop();
            Assert.InRange(stack.Frames.Count, 1, WalkLimits.Default.MaxFrames);
            for (int i = 1; i < stack.Frames.Count; i++)
            {
                Assert.True(stack.Frames[i].Registers.Sp > stack.Frames[i - 1].Registers.Sp, $"frame {i} does not move the stack pointer up");
                Assert.NotNull(stack.Frames[i].Module);
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the walk took {clock.Elapsed}");
            if (pattern == "one-return-address")
                Assert.True(stack.Frames.Count > 10, "a stack full of one return address is scanned frame after frame: " + stack.StopReason);
        }
        var r = Tool.Run(CrashFixture.Wer, ["analyze", "--all-threads", hostile]);
        Assert.True(r.ExitCode == 0, r.All);
    }

    private static void Corrupt(string path, string pattern, ulong returnAddress)
    {
        ulong stackStart, stackRva, contextRva;
        uint stackSize;
        using (var reader = MinidumpReader.Open(path))
        {
            var e = reader.ReadException()!.Value;
            var thread = reader.ReadThreads().Single(t => t.ThreadId == e.ThreadId);
            (stackStart, stackRva, stackSize) = (thread.Stack.StartOfMemoryRange, thread.Stack.Memory.Rva, thread.Stack.Memory.DataSize);
            contextRva = e.ThreadContext.Rva;
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var stack = new byte[stackSize];
        var random = new Random(11);
        for (int at = 0; at + 8 <= stack.Length; at += 8)
        {
            ulong word = pattern switch
            {
                "self-pointers" => stackStart + (ulong)at,
                "one-return-address" => returnAddress,
                _ => (ulong)random.NextInt64(),
            };
            BinaryPrimitives.WriteUInt64LittleEndian(stack.AsSpan(at), word);
        }
        if (pattern != "stack-pointer-at-the-top")
        {
            file.Position = (long)stackRva;
            file.Write(stack);
            return;
        }
        // rsp and rbp at the top of the address space: a read there wraps around.
        var top = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(top, 0xFFFF_FFFF_FFFF_FFF8);
        foreach (int offset in new[] { 0x98, 0xA0 })
        {
            file.Position = (long)contextRva + offset;
            file.Write(top);
        }
    }
}
