using OpenWer.Dumps;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// A dump of a crash of tests/fixtures/native/crasher.c, read by Breakpad's processor: the signal and its code as
/// Breakpad names them, the crashing thread, the fault address, and the crashing thread's frames.
/// </summary>
public static class BreakpadCrash
{
    /// <param name="Reason">Breakpad's name of the signal and the si_code the kernel gives that fault.</param>
    /// <param name="Chain">crasher.c's functions on the crashing thread, innermost first, down to main.</param>
    /// <param name="Threads">How many threads crasher.c runs in that mode.</param>
    public sealed record Expected(string Reason, string[] Chain, int Threads, bool OnMainThread, bool FaultsInOwnCode);

    public static Expected For(string mode) => mode switch
    {
        // A write to address 16, in a thread of its own.
        "segv" => new("SIGSEGV /SEGV_MAPERR", ["crash_in_thread", "segv_thread"], 2, false, true),
        // Raised inside libc's abort().
        "abort" => new("SIGABRT", ["main"], 1, true, false),
        "fpe" => new("SIGFPE / FPE_INTDIV", ["divide", "main"], 1, true, true),
        // A store past the end of a truncated file mapping.
        "bus" => new("SIGBUS / BUS_ADRERR", ["main"], 1, true, true),
        // ud2: an invalid opcode.
        "ill" => new("SIGILL / ILL_ILLOPN", ["main"], 1, true, true),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "not a crasher mode"),
    };

    /// <summary>Checks the dump against what crasher.c does in <paramref name="mode"/>; returns the crashing thread's functions.</summary>
    /// <param name="oneThread">A micro dump: the crashing thread alone.</param>
    public static IReadOnlyList<string> Check(string dump, string mode, DumpType type, bool oneThread, string symbolFolder)
    {
        var expected = For(mode);
        var (listing, walk) = BreakpadChecks.Read(dump, symbolFolder);
        Assert.Equal((ulong)DumpTypeFlags.For(type), listing.Flags);
        Assert.Equal(expected.Reason, walk.Reason);
        Assert.Equal(oneThread ? 1 : expected.Threads, listing.ThreadIds.Count);
        int crashed = Assert.IsType<int>(walk.Thread);
        int tid = listing.ThreadIds[crashed];
        Assert.Equal(listing.ExceptionThreadId, tid);
        Assert.Equal(expected.OnMainThread, tid == listing.ProcessId);

        var top = walk.Threads[crashed][0];
        string program = Path.GetFileName(Crasher.Path_);
        Assert.Equal(program, Assert.Single(walk.Modules, m => m.Main).CodeFile);
        if (expected.FaultsInOwnCode)
            Assert.Equal((program, expected.Chain[0]), (top.Module, top.Function));
        else
            Assert.Equal("libc.so.6", top.Module);
        // si_addr: the address written for SIGSEGV, the faulting instruction for SIGFPE and SIGILL. (SIGBUS's is
        // where the mapping happened to land; SIGABRT, sent by tgkill, has none.)
        if (mode == "segv")
            Assert.Equal(16UL, walk.Address);
        else if (mode is "fpe" or "ill")
            Assert.Equal(top.Rip, walk.Address);

        var functions = BreakpadChecks.WalkedFunctions(walk, crashed, program);
        Assert.Equal(expected.Chain, functions);
        return functions;
    }
}
