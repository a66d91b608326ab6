using Microsoft.Diagnostics.Runtime;
using Microsoft.Diagnostics.Runtime.DataReaders.Implementation;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>ClrMD, the reader behind dotnet-dump and SOS, opens our dumps: modules, threads, memory, and the managed heap.</summary>
public sealed class ClrMdTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DumpType.Mini)]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void OpensNativeDumps(DumpType type)
    {
        using var target = new NativeTarget(threads: 5);
        string path = _dir.File($"{type}.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, null, path));
        var tasks = target.TaskIds();
        // Where /proc says libc's ELF header is mapped: its offset-0 mapping.
        ulong libcBase = File.ReadLines($"/proc/{target.Pid}/maps")
            .Where(l => l.Contains("/libc.so.6", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2] == "00000000")
            .Select(l => Convert.ToUInt64(l[..l.IndexOf('-')], 16)).First();

        using var dt = DataTarget.LoadDump(path);
        Assert.Equal(target.Pid, dt.DataReader.ProcessId);
        var modules = dt.DataReader.EnumerateModules().ToList();
        var libc = Assert.Single(modules, m => m.FileName.EndsWith("/libc.so.6", StringComparison.Ordinal));
        Assert.Equal(libcBase, libc.ImageBase);
        var threads = Assert.IsAssignableFrom<IThreadReader>(dt.DataReader);
        Assert.Equal(tasks, threads.EnumerateOSThreadIds().Select(t => (int)t).Order());
        var stack = new byte[11];
        Assert.Equal(11, dt.DataReader.Read(target.Address("stack1"), stack));
        Assert.Equal("STACKMARK-1", System.Text.Encoding.ASCII.GetString(stack));
        target.AssertAlive();
    }

    [Theory]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void HeapDumpOfADotNetProcessShowsItsManagedObjects(DumpType type)
    {
        using var target = ManagedFixture.Start(threads: 4);
        string marker = target.Facts["marker"];
        string path = _dir.File("managed.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, null, path));
        target.AssertAlive();
        string dac = Path.Combine(ManagedFixture.RuntimeFolder(target.Pid), "libmscordaccore.so");

        // No symbol server: everything the DAC reads must come from the dump (or files on this machine).
        using var dt = DataTarget.LoadDump(path, new DataTargetOptions { SymbolPaths = [] });
        var clr = Assert.Single(dt.ClrVersions);
        // ClrMD cannot read the ELF build-id from a minidump, so the DAC is named by hand (minidump-format.md 6.4).
        using var runtime = clr.CreateRuntime(dac, ignoreMismatch: true);
        Assert.True(runtime.Heap.CanWalkHeap, "the GC heap cannot be walked");
        var strings = runtime.Heap.EnumerateObjects().Where(o => o.Type?.IsString == true).Select(o => o.AsString()).ToList();
        Assert.Contains(marker, strings);
        Assert.Contains(runtime.Threads, t => t.OSThreadId == (uint)target.Pid);
    }

    [Theory]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void ClrMdSeesTheSameThreadsAndObjectsAsInCreatedumpsHeapDump(DumpType type)
    {
        // ClrMD merges MemoryList and Memory64List and finds an address by binary search: a range listed in both
        // shadows the larger one, and reads past a stack then return nothing. The runtime's own dumper is the control.
        using var target = ManagedFixture.Start(threads: 10);
        string folder = ManagedFixture.RuntimeFolder(target.Pid);
        string ours = _dir.File("ours.dmp"), theirs = _dir.File("createdump.dmp");
        string pid = target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The runtime's own threads allocate now and then (tiering, the finalizer), so the two dumps are taken of one
        // state: the process is held in a job-control stop for both (each dumper attaches to a stopped process).
        Assert.Equal(0, Tool.Run("kill", ["-STOP", pid]).ExitCode);
        try
        {
            LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, null, ours));
            var r = Tool.Run(Path.Combine(folder, "createdump"), ["--withheap", "-f", theirs, pid]);
            Assert.True(r.ExitCode == 0, r.All);
        }
        finally
        {
            Tool.Run("kill", ["-CONT", pid]);
        }
        target.AssertAlive();
        var (ourThreads, ourObjects) = ManagedCounts(ours, folder);
        var (theirThreads, theirObjects) = ManagedCounts(theirs, folder);
        Assert.True(theirThreads >= 11, $"createdump's dump has {theirThreads} managed threads");
        Assert.Equal(theirThreads, ourThreads);
        Assert.Equal(theirObjects, ourObjects);
    }

    [Theory]
    [InlineData(DumpType.Heap)]
    [InlineData(DumpType.Full)]
    public void EachLoadedAssemblyIsOneModuleAtTheRuntimesBaseWithItsPeSizeOfImage(DumpType type)
    {
        // The runtime maps a ReadyToRun assembly twice (flat, to read it, and as an image) and an IL-only one flat;
        // a symbol server keys a PE file by TimeDateStamp + SizeOfImage, so the size is the PE header's, unrounded.
        using var target = ManagedFixture.Start(threads: 4);
        string folder = ManagedFixture.RuntimeFolder(target.Pid);
        string path = _dir.File("modules.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, type, null, path));
        // start, inode and path of each line of /proc/PID/maps
        var mappings = File.ReadLines($"/proc/{target.Pid}/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Start: Convert.ToUInt64(f[0][..f[0].IndexOf('-')], 16), Inode: f[4], Path: f.Length > 5 ? f[5].Trim() : "")).ToList();
        target.AssertAlive();

        using var dt = DataTarget.LoadDump(path, new DataTargetOptions { SymbolPaths = [] });
        var listed = dt.DataReader.EnumerateModules().ToList();
        using var runtime = Assert.Single(dt.ClrVersions).CreateRuntime(Path.Combine(folder, "libmscordaccore.so"), ignoreMismatch: true);
        // The runtime's own view of what it loaded, from its data structures through the DAC.
        var assemblies = runtime.EnumerateModules().Where(m => m.ImageBase != 0 && m.Name is { Length: > 0 } && File.Exists(m.Name)).ToList();
        Assert.Contains(assemblies, a => a.Name!.EndsWith("/System.Private.CoreLib.dll", StringComparison.Ordinal));
        Assert.Contains(assemblies, a => a.Name!.EndsWith("/ManagedTarget.dll", StringComparison.Ordinal));
        foreach (var assembly in assemblies)
        {
            var module = Assert.Single(listed, m => m.FileName == assembly.Name);
            Assert.Equal(assembly.ImageBase, module.ImageBase);
            using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly.Name!));
            Assert.Equal(pe.PEHeaders.PEHeader!.SizeOfImage, module.IndexFileSize);
            Assert.Equal(pe.PEHeaders.CoffHeader.TimeDateStamp, module.IndexTimeStamp);
        }

        // Memory is MEM_IMAGE only where /proc/PID/maps shows a mapping of a module's own file (or an ELF module's .bss).
        using var reader = OpenWer.Format.Reading.MinidumpReader.Open(path);
        var modules = reader.ReadModules();
        foreach (var info in reader.ReadMemoryInfoList().Where(i => i.Type == OpenWer.Format.Streams.MemoryInfo.TypeImage))
        {
            var mapping = Assert.Single(mappings, m => m.Start == info.BaseAddress);
            var module = Assert.Single(modules, m => m.Module.BaseOfImage == info.AllocationBase);
            if (mapping.Inode != "0")
                Assert.True(RealPath(mapping.Path) == RealPath(module.Name), $"{info.BaseAddress:x} maps {mapping.Path} but is marked part of {module.Name}");
        }
    }

    [Fact]
    public void AHeapMinidumpConvertedFromADotNetCoreHoldsTheSameThreadsAndObjects()
    {
        // createdump writes an ELF core (which ClrMD reads too); wer convert makes a heap minidump of it.
        using var target = ManagedFixture.Start(threads: 6);
        string folder = ManagedFixture.RuntimeFolder(target.Pid);
        string core = _dir.File("dotnet.core"), converted = _dir.File("converted.dmp");
        var r = Tool.Run(Path.Combine(folder, "createdump"), ["--withheap", "-f", core, target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(r.ExitCode == 0, r.All);
        target.AssertAlive();
        var convert = Tool.Run(Path.Combine(AppContext.BaseDirectory, "wer"), ["convert", core, "--type", "heap", "-o", converted], TimeSpan.FromMinutes(2));
        Assert.True(convert.ExitCode == 0, convert.All);
        var (coreThreads, coreObjects) = ManagedCounts(core, folder);
        Assert.True(coreThreads >= 7 && coreObjects > 100, $"the core shows {coreThreads} managed threads, {coreObjects} objects");
        Assert.Equal((coreThreads, coreObjects), ManagedCounts(converted, folder));
    }

    /// <summary>The file a path names, symbolic links followed (a module is named by its DT_SONAME, a link to the file).</summary>
    private static string RealPath(string path) => File.Exists(path) ? new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path : path;

    private static (int Threads, int Objects) ManagedCounts(string dump, string runtimeFolder)
    {
        using var dt = DataTarget.LoadDump(dump, new DataTargetOptions { SymbolPaths = [] });
        using var runtime = Assert.Single(dt.ClrVersions).CreateRuntime(Path.Combine(runtimeFolder, "libmscordaccore.so"), ignoreMismatch: true);
        return (runtime.Threads.Length, runtime.Heap.EnumerateObjects().Count());
    }
}
