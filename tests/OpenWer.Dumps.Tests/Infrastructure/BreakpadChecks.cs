namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>Checks of a dump through Breakpad's eyes that the live and the crash tests share.</summary>
public static class BreakpadChecks
{
    /// <summary>
    /// minidump_dump parses every stream; each module file's ids, as minidump_dump and minidump_stackwalk show them,
    /// are what readelf and dump_syms read from the file itself. Returns the stack walk, with symbols that
    /// dump_syms made of every module file and of the vDSO (so Breakpad walks libc's and the vDSO's frames by
    /// their CFI too, and scans for none).
    /// </summary>
    public static (BreakpadDumpListing.Listing Listing, BreakpadStackwalk.Report Walk) Read(string dump, string symbolFolder)
    {
        var listing = BreakpadDumpListing.Run(dump);
        listing.AssertEveryStreamParsed();

        // The vDSO (linux-gate.so) has no file to compare with.
        var files = listing.Modules.Where(m => m.CodeFile.StartsWith('/')).ToList();
        Assert.Contains(files, m => Path.GetFileName(m.CodeFile) == "libc.so.6");
        foreach (var module in files)
        {
            Assert.Equal(ReadElf.BuildId(module.CodeFile), module.CodeId);
            var header = Breakpad.Header(module.CodeFile);
            Assert.Equal(header.DebugId, module.DebugId);
            Assert.Equal(header.CodeId?.ToLowerInvariant(), module.CodeId);
        }

        foreach (var module in files)
            Breakpad.WriteSymbols(symbolFolder, module.CodeFile, Path.GetFileName(module.DebugFile));
        // Breakpad's name for the vDSO; its image is this process's own (the same kernel's).
        var vdso = Assert.Single(listing.Modules, m => m.CodeFile == "linux-gate.so");
        Assert.Equal(vdso.DebugId, Breakpad.WriteSymbols(symbolFolder, Breakpad.OwnVdso(Path.Combine(symbolFolder, "vdso")), vdso.DebugFile));

        var walk = BreakpadStackwalk.Run(dump, symbolFolder);
        Assert.Equal(listing.ThreadIds.Count, walk.Threads.Count);
        Assert.Equal(listing.Modules.Select(m => (Path.GetFileName(m.CodeFile), m.DebugId, m.Base)),
            walk.Modules.Select(m => (m.CodeFile, m.DebugId, m.Base)));
        return (listing, walk);
    }

    /// <summary>
    /// The functions of <paramref name="module"/> on a thread's stack, innermost first, down to main (what lies
    /// below main is the C runtime's); every frame above the innermost was found by CFI, none by a scan.
    /// </summary>
    public static IReadOnlyList<string> WalkedFunctions(BreakpadStackwalk.Report walk, int thread, string module)
    {
        var frames = walk.Threads[thread];
        var ours = frames.Select((f, i) => (Frame: f, Index: i)).Where(x => x.Frame.Module == module).ToList();
        int main = ours.FindIndex(x => x.Frame.Function == "main");
        if (main >= 0) ours = ours[..(main + 1)];
        foreach (var (frame, index) in ours)
        {
            Assert.Equal(index == 0 ? "given as instruction pointer in context" : "call frame info", frame.Trust);
            Assert.NotNull(frame.Line);
        }
        return ours.Select(x => x.Frame.Function).ToList();
    }
}
