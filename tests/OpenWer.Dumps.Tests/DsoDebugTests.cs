using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// The LINUX_DSO_DEBUG stream (r_debug and the link_map chain), checked the way a user meets it: Breakpad's
/// minidump-2-core turns the dump into a core, and gdb on that core must find the same shared libraries and walk the
/// same frames as gdb attached to the live process. Without the stream gdb says "No shared libraries loaded".
/// </summary>
public sealed class DsoDebugTests : IDisposable
{
    private static readonly Lazy<string> NonPie = new(() => Build("-no-pie"));
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Build(string kind) =>
        FixtureCompiler.Build(RepoPaths.NativeFixtureSource, Path.Combine(Directory.CreateTempSubdirectory("openwer-dso-").FullName, "target" + kind),
            [.. FixtureCompiler.DebugThreaded, kind, "-fno-pie"], FixtureCompiler.TargetLibraries);

    [Theory]
    [InlineData(DumpType.Micro)]
    [InlineData(DumpType.Mini)]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void GdbOnTheConvertedCoreOfANonPieProgramSeesTheLiveProcesssLibrariesAndFrames(DumpType type)
    {
        // A non-PIE program, as in the report. (gdb does not relocate a PIE executable in minidump-2-core's
        // conversion of our dumps, in any type: not yet understood, so not asserted.)
        string program = NonPie.Value;
        using var target = new NativeTarget(program, ["--threads", "3", "--heap-mib", "0"]);
        // The main thread waits on its stdin: it is in the same frames for gdb now and for the dump after.
        string live = Gdb.OnProcess(target.Pid, "info sharedlibrary", "thread apply all bt");
        string dump = _dir.File($"{type}.dmp"), core = _dir.File($"{type}.core");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, type == DumpType.Micro ? target.Pid : null, dump));
        target.AssertAlive();

        var convert = Tool.Run("/bin/sh", ["-c", "\"$0\" \"$1\" > \"$2\"", Breakpad.MinidumpToCore, dump, core]);
        Assert.True(convert.ExitCode == 0, "minidump-2-core failed: " + convert.All);
        string converted = Gdb.OnCore(program, core, "info sharedlibrary", "thread apply all bt");

        var libraries = Gdb.SharedLibraries(live);
        Assert.Contains(libraries, l => l.Name.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.Equal(libraries, Gdb.SharedLibraries(converted));
        var frames = Gdb.Frames(live, target.Pid);
        Assert.Contains("main", frames);
        Assert.Equal(frames, Gdb.Frames(converted, target.Pid));
    }
}
