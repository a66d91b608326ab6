using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// An ELF module is listed from its header to the end of its code, as Breakpad's writer lists it: a reader that scans
/// a stack without symbols takes any address inside a module for a return address, and pointers to .data and .bss
/// are common on stacks (bench/module-size-effect.py measures it). Its data is still its image in MemoryInfoList.
/// </summary>
public sealed class ModuleSizeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EachElfModuleEndsWhereProcMapsShowsItsLastExecutableMappingEnd()
    {
        using var target = new NativeTarget(threads: 2);
        string dump = _dir.File("heap.dmp");
        LiveDumper.Dump(DumpRequest.ForType(target.Pid, DumpType.Heap, null, dump));
        // (start, end, perms, inode) of each line, and the file's inode per module base.
        var maps = File.ReadLines($"/proc/{target.Pid}/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Start: Convert.ToUInt64(f[0][..f[0].IndexOf('-')], 16), End: Convert.ToUInt64(f[0][(f[0].IndexOf('-') + 1)..], 16),
                Perms: f[1], Inode: f[4])).ToList();
        target.AssertAlive();

        using var reader = MinidumpReader.Open(dump);
        var modules = reader.ReadModules().Where(m => m.Name.StartsWith('/')).ToList();
        Assert.Contains(modules, m => m.Name.EndsWith("/libc.so.6", StringComparison.Ordinal));
        var infos = reader.ReadMemoryInfoList();
        foreach (var m in modules)
        {
            string inode = maps.Single(x => x.Start == m.Module.BaseOfImage).Inode;
            var own = maps.Where(x => x.Inode == inode && x.Start >= m.Module.BaseOfImage).ToList();
            ulong codeEnd = own.Where(x => x.Perms[2] == 'x').Max(x => x.End);
            Assert.True(m.Module.BaseOfImage + m.Module.SizeOfImage == codeEnd, $"{m.Name}: ends at {m.Module.BaseOfImage + m.Module.SizeOfImage:x}, its code at {codeEnd:x}");
            // Its data mappings past the code are still MEM_IMAGE of this module.
            foreach (var data in own.Where(x => x.Start >= codeEnd))
            {
                var info = Assert.Single(infos, i => i.BaseAddress == data.Start);
                Assert.Equal((Format.Streams.MemoryInfo.TypeImage, m.Module.BaseOfImage), (info.Type, info.AllocationBase));
            }
        }
    }
}
