using System.Text;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format;
using OpenWer.Format.Reading;
using OpenWer.Format.Streams;

namespace OpenWer.Dumps.Tests;

/// <summary>
/// Each MINIDUMP_TYPE bit with a Linux meaning changes the output as docs/minidump-type-flags.md says: a dump with
/// the bit against one without, facts taken from the target (addresses it printed) and /proc.
/// </summary>
public sealed class FlagEffectTests(TargetFixture fixture) : IClassFixture<TargetFixture>, IDisposable
{
    private readonly NativeTarget _target = fixture.Target;
    private readonly TempDir _dir = new();
    private readonly List<MinidumpReader> _open = [];

    public void Dispose()
    {
        foreach (var r in _open) r.Dispose();
        _dir.Dispose();
    }

    private MinidumpReader Dump(MinidumpType flags, int? thread = null, bool onlyThisThread = false)
    {
        string path = _dir.File($"{(uint)flags:x}-{Guid.NewGuid():N}.dmp");
        LiveDumper.Dump(new DumpRequest(_target.Pid, flags, thread, onlyThisThread, path));
        _target.AssertAlive();
        var reader = MinidumpReader.Open(path);
        _open.Add(reader);
        Assert.Equal(flags, reader.Header.Flags);
        return reader;
    }

    private static string? Text(MinidumpReader r, ulong address, int length)
    {
        var bytes = new byte[length];
        return r.ReadMemory(address, bytes) == length ? Encoding.ASCII.GetString(bytes).TrimEnd('\0') : null;
    }

    private (MinidumpReader Without, MinidumpReader With) Both(MinidumpType flag, MinidumpType baseFlags = MinidumpType.Normal) =>
        (Dump(baseFlags), Dump(baseFlags | flag));

    [Fact]
    public void DataSegsAddsModulesWritableSegments()
    {
        var (without, with) = Both(MinidumpType.WithDataSegs);
        Assert.Null(Text(without, _target.Address("global"), 15));
        Assert.Equal("GLOBALMARK-data", Text(with, _target.Address("global"), 15));
    }

    [Fact]
    public void PrivateWriteCopyMemoryAddsPrivateFileBackedWritableMappings()
    {
        var (without, with) = Both(MinidumpType.WithPrivateWriteCopyMemory);
        Assert.Null(Text(without, _target.Address("global"), 15));
        Assert.Equal("GLOBALMARK-data", Text(with, _target.Address("global"), 15));
        Assert.Null(Text(with, _target.Address("heap"), 8)); // anonymous memory is not write-copy
    }

    [Fact]
    public void PrivateReadWriteMemoryAddsTheHeap()
    {
        var (without, with) = Both(MinidumpType.WithPrivateReadWriteMemory);
        Assert.Null(Text(without, _target.Address("heap"), 14));
        Assert.Equal(_target.Facts["heapmark"], Text(with, _target.Address("heap"), _target.Facts["heapmark"].Length));
        Assert.Empty(without.ReadMemory64List().Ranges);
        Assert.NotEmpty(with.ReadMemory64List().Ranges);
    }

    [Fact]
    public void FullMemoryAddsEveryReadableMapping()
    {
        var (without, with) = Both(MinidumpType.WithFullMemory);
        Assert.Null(Text(without, _target.Address("code"), 4));
        Assert.NotNull(Text(with, _target.Address("code"), 4));
        Assert.Equal(_target.Facts["heapmark"], Text(with, _target.Address("heap"), _target.Facts["heapmark"].Length));
        // Every readable mapping of the dump's own maps stream (but the kernel's vvar/vsyscall) is in the Memory64List.
        var maps = Encoding.ASCII.GetString(with.ReadStream(StreamType.LinuxMaps)!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var bulk = with.ReadMemory64List().Ranges;
        foreach (var line in maps.Where(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1][0] == 'r' && !l.Contains("[vvar") && !l.Contains("[vsyscall]")))
        {
            ulong start = Convert.ToUInt64(line[..line.IndexOf('-')], 16);
            Assert.Contains(bulk, r => start >= r.StartOfMemoryRange && start < r.StartOfMemoryRange + r.DataSize);
        }
    }

    [Fact]
    public void CodeSegsAddsExecutableSegments()
    {
        var (without, with) = Both(MinidumpType.WithCodeSegs);
        Assert.Null(Text(without, _target.Address("code"), 4));
        Assert.NotNull(Text(with, _target.Address("code"), 4));
    }

    [Fact]
    public void ModuleHeadersAddsTheElfHeader()
    {
        var (without, with) = Both(MinidumpType.WithModuleHeaders);
        var main = with.ReadModules()[0];
        Assert.Null(Text(without, main.Module.BaseOfImage, 4));
        Assert.Equal("\u007fELF", Text(with, main.Module.BaseOfImage, 4));
    }

    [Fact]
    public void HandleDataListsOpenDescriptors()
    {
        var (without, with) = Both(MinidumpType.WithHandleData);
        Assert.False(without.TryFindStream(StreamType.HandleData, out _));
        int fd = _target.Int("fd");
        var handle = Assert.Single(with.ReadHandles(), h => h.Descriptor.Handle == (ulong)fd);
        Assert.Equal(new FileInfo($"/proc/{_target.Pid}/fd/{fd}").LinkTarget, handle.ObjectName);
        Assert.Equal("File", handle.TypeName);
    }

    [Fact]
    public void FilterMemoryKeepsOnlyStackWordsAStackWalkNeeds()
    {
        var (without, with) = Both(MinidumpType.FilterMemory);
        Assert.Equal("STACKMARK-1", Text(without, _target.Address("stack1"), 11));
        var bytes = new byte[16];
        Assert.Equal(16, with.ReadMemory(_target.Address("stack1"), bytes)); // still there, but zeroed
        Assert.All(bytes, b => Assert.Equal(0, b));
    }

    [Fact]
    public void ScanMemoryDropsModulesNoStackRefersTo()
    {
        var (without, with) = Both(MinidumpType.ScanMemory);
        Assert.Contains(without.ReadModules(), m => m.Name.Contains("libm.so", StringComparison.Ordinal));
        Assert.DoesNotContain(with.ReadModules(), m => m.Name.Contains("libm.so", StringComparison.Ordinal));
        Assert.Contains(with.ReadModules(), m => m.Name.Contains("libc.so", StringComparison.Ordinal));
        Assert.EndsWith("/target", with.ReadModules()[0].Name);
    }

    [Fact]
    public void IndirectlyReferencedMemoryFollowsStackPointers()
    {
        var (without, with) = Both(MinidumpType.WithIndirectlyReferencedMemory);
        Assert.Null(Text(without, _target.Address("indirect1"), 14));
        Assert.Equal("INDIRECTMARK-1", Text(with, _target.Address("indirect1"), 14));
    }

    [Fact]
    public void FilterModulePathsStripsFolders()
    {
        var (without, with) = Both(MinidumpType.FilterModulePaths);
        Assert.Contains(without.ReadModules(), m => m.Name.StartsWith('/'));
        Assert.All(with.ReadModules(), m => Assert.DoesNotContain('/', m.Name));
    }

    [Fact]
    public void ProcessThreadDataAddsTlsEnvironmentAndAuxv()
    {
        var (without, with) = Both(MinidumpType.WithProcessThreadData);
        Assert.False(without.TryFindStream(StreamType.LinuxEnviron, out _));
        Assert.Equal(File.ReadAllBytes($"/proc/{_target.Pid}/environ"), with.ReadStream(StreamType.LinuxEnviron));
        Assert.Equal(File.ReadAllBytes($"/proc/{_target.Pid}/auxv"), with.ReadStream(StreamType.LinuxAuxv));
        var thread = with.ReadThreads()[0];
        Assert.NotEqual(0UL, thread.Teb);
        Assert.Null(Text(without, thread.Teb, 8));
        // The TCB starts with a pointer to itself (x86_64 glibc: tcbhead_t.tcb).
        var tcb = new byte[8];
        Assert.Equal(8, with.ReadMemory(thread.Teb, tcb));
        Assert.Equal(thread.Teb, BitConverter.ToUInt64(tcb));
    }

    [Fact]
    public void UnloadedModulesAddsTheList()
    {
        var (without, with) = Both(MinidumpType.WithUnloadedModules);
        Assert.False(without.TryFindStream(StreamType.UnloadedModuleList, out _));
        Assert.True(with.TryFindStream(StreamType.UnloadedModuleList, out _));
        Assert.Empty(with.ReadUnloadedModules());
    }

    [Fact]
    public void WithoutOptionalDataDropsOptionalStreams()
    {
        var (with, without) = (Dump(MinidumpType.Normal), Dump(MinidumpType.WithoutOptionalData));
        foreach (var type in new[] { StreamType.LinuxMaps, StreamType.LinuxCpuInfo, StreamType.LinuxCmdLine, StreamType.ThreadNames })
        {
            Assert.True(with.TryFindStream(type, out _), $"{type} missing from a normal dump");
            Assert.False(without.TryFindStream(type, out _), $"{type} present despite WithoutOptionalData");
        }
        Assert.True(without.TryFindStream(StreamType.LinuxProcStatus, out _));
    }

    [Fact]
    public void ThreadNamesAreThoseOfProc()
    {
        var r = Dump(MinidumpType.Normal);
        var names = r.ReadThreadNames();
        foreach (int tid in _target.TaskIds())
            Assert.Equal(File.ReadAllText($"/proc/{_target.Pid}/task/{tid}/comm").TrimEnd('\n'), names[(uint)tid]);
        Assert.Equal("owr-worker", names[(uint)_target.Int("worker1")]);
    }

    [Fact]
    public void FullMemoryInfoDescribesEveryMapping()
    {
        var (without, with) = Both(MinidumpType.WithFullMemoryInfo);
        Assert.Empty(without.ReadMemoryInfoList());
        var maps = Encoding.ASCII.GetString(with.ReadStream(StreamType.LinuxMaps)!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var infos = with.ReadMemoryInfoList();
        Assert.Equal(maps.Length, infos.Count);
        ulong code = _target.Address("code");
        var codeInfo = Assert.Single(infos, i => code >= i.BaseAddress && code < i.BaseAddress + i.RegionSize);
        Assert.Equal(MemoryInfo.PageExecuteRead, codeInfo.Protect);
        Assert.Equal(MemoryInfo.TypeImage, codeInfo.Type);
    }

    [Fact]
    public void MemoryInfoSaysWhatProcMapsSays()
    {
        var (_, with) = Both(MinidumpType.WithFullMemoryInfo);
        var infos = with.ReadMemoryInfoList().ToDictionary(i => i.BaseAddress);
        // A module's .bss (anonymous, right after its file mappings) is part of its image, as on Windows. Every file the
        // target maps is one of its modules (the program, libc, libm, the dynamic linker).
        int anonymous = 0, reserved = 0, copyOnWrite = 0;
        string previousEnd = "";
        bool previousFile = false;
        foreach (var line in File.ReadLines($"/proc/{_target.Pid}/maps"))
        {
            var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            var info = infos[Convert.ToUInt64(f[0][..f[0].IndexOf('-')], 16)];
            bool file = f[4] != "0" && f.Length > 5 && f[5].StartsWith('/');
            bool afterFile = previousFile && f[0][..f[0].IndexOf('-')] == previousEnd;
            (previousEnd, previousFile) = (f[0][(f[0].IndexOf('-') + 1)..], file);
            switch (f[1])
            {
                case "rw-p" when !file:
                    anonymous++;
                    bool inImage = afterFile;
                    Assert.Equal((MemoryInfo.StateCommit, MemoryInfo.PageReadWrite, inImage ? MemoryInfo.TypeImage : MemoryInfo.TypePrivate), (info.State, info.Protect, info.Type));
                    break;
                case "---p":
                    reserved++;
                    Assert.Equal((MemoryInfo.StateReserve, 0u, MemoryInfo.PageNoAccess), (info.State, info.Protect, info.AllocationProtect));
                    break;
                case "rw-p":
                    copyOnWrite++;
                    Assert.Equal((MemoryInfo.StateCommit, MemoryInfo.PageWriteCopy), (info.State, info.Protect));
                    break;
                case "r--p":
                    Assert.Equal((MemoryInfo.StateCommit, MemoryInfo.PageReadOnly), (info.State, info.Protect));
                    break;
            }
        }
        // The target's heap, thread stacks (with their PROT_NONE guards) and .data are all there to check.
        Assert.True(anonymous > 0 && reserved > 0 && copyOnWrite > 0, $"{anonymous} anonymous, {reserved} reserved, {copyOnWrite} copy-on-write");
    }

    [Fact]
    public void ThreadInfoDescribesEveryThread()
    {
        var (without, with) = Both(MinidumpType.WithThreadInfo);
        Assert.Empty(without.ReadThreadInfoList());
        Assert.Equal(_target.TaskIds(), with.ReadThreadInfoList().Select(t => (int)t.ThreadId).Order());
        Assert.All(with.ReadThreadInfoList(), t => Assert.True(t.CreateTime > 116444736000000000UL, "create time before 1970"));
    }

    [Fact]
    public void TokenInformationKeepsCredentialLines()
    {
        var (without, with) = Both(MinidumpType.WithTokenInformation);
        string Status(MinidumpReader r) => Encoding.ASCII.GetString(r.ReadStream(StreamType.LinuxProcStatus)!);
        Assert.DoesNotContain("\nUid:", Status(without));
        Assert.Contains("\nUid:", Status(with));
        Assert.Contains("\nCapEff:", Status(with));
        Assert.Contains($"\nPid:\t{_target.Pid}\n", Status(without));
    }

    [Fact]
    public void FilterTriageDropsPersonalData()
    {
        var (without, with) = Both(MinidumpType.FilterTriage, MinidumpType.WithHandleData);
        Assert.True(without.TryFindStream(StreamType.LinuxCmdLine, out _));
        Assert.False(with.TryFindStream(StreamType.LinuxCmdLine, out _));
        Assert.All(with.ReadModules(), m => Assert.DoesNotContain('/', m.Name));
        Assert.All(with.ReadHandles(), h => Assert.Null(h.ObjectName));
    }

    [Fact]
    public void AvxXStateContextCarriesYmmState()
    {
        var (without, with) = Both(MinidumpType.WithAvxXStateContext);
        Assert.Equal((uint)Format.Contexts.ContextAmd64.Size, without.ReadThreads()[0].ThreadContext.DataSize);
        var thread = with.ReadThreads()[0];
        Assert.Equal((uint)Format.Contexts.ContextAmd64.SizeWithXState, thread.ThreadContext.DataSize);
        Assert.NotNull(with.ReadContextAmd64(thread.ThreadContext).YmmHigh);
    }

    [Theory]
    [InlineData(MinidumpType.WithoutAuxiliaryState)]
    [InlineData(MinidumpType.WithFullAuxiliaryState)]
    [InlineData(MinidumpType.WithIptTrace)]
    [InlineData(MinidumpType.ScanInaccessiblePartialPages)]
    [InlineData(MinidumpType.FilterWriteCombinedMemory)]
    public void BitsWithoutALinuxMeaningChangeOnlyTheHeader(MinidumpType flag)
    {
        var (without, with) = Both(flag);
        Assert.Equal(without.Directory.Select(d => d.StreamType), with.Directory.Select(d => d.StreamType));
        Assert.Equal(flag, with.Header.Flags);
    }

    [Fact]
    public void MicroHoldsOnlyTheChosenThread()
    {
        int worker = _target.Int("worker1");
        using var _ = new TempDir();
        var r = Dump(DumpTypeFlags.Micro, worker, onlyThisThread: true);
        Assert.Equal((uint)worker, Assert.Single(r.ReadThreads()).ThreadId);
        Assert.Equal((uint)worker, r.ReadException()!.Value.ThreadId);
        Assert.Equal(ExceptionStream.DumpRequested, r.ReadException()!.Value.ExceptionCode);
    }

    [Fact]
    public void FlagsOutsideTheValidSetAreRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Dump((MinidumpType)0x02000000));
        Assert.Contains("0x01ffffff", e.Message);
    }
}
