using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Tests;

/// <summary>The report API against a real process and a real HTTP endpoint: consents, flags, results, the negotiation table.</summary>
public sealed class ReportApiTests : IDisposable
{
    private readonly ReportContext _c = new();
    private readonly TestServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _c.Dispose();
    }

    [Fact]
    public void ArgumentErrorsThrowTheUsualExceptions()
    {
        var info = new WerReportInformation("app");
        Assert.Throws<ArgumentException>(() => WerReport.Create("", WerReportType.Critical, info, _c.Options(null)));
        // Past WER's length limits: an ArgumentOutOfRangeException of the kind the Win32 facade maps to WER_E_LENGTH_EXCEEDED.
        Assert.Throws<WerLengthExceededException>(() => WerReport.Create(new string('e', 64), WerReportType.Critical, info, _c.Options(null)));
        Assert.Throws<WerLengthExceededException>(() => WerReport.Create("e", WerReportType.Critical, new WerReportInformation(new string('a', 128)), _c.Options(null)));
        using var report = WerReport.Create("e", (WerReportType)42, info, _c.Options(null)); // WER does not check the type
        Assert.Throws<ArgumentOutOfRangeException>(() => report.SetParameter(10, null, "x"));
        Assert.Throws<InvalidOperationException>(() => report.SetParameter(2, null, "x"));
        Assert.Throws<FileNotFoundException>(() => report.AddFile(_c.Dir.File("missing.txt"), WerFileType.Other, WerFileFlags.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => report.AddFile("/etc/hostname", WerFileType.Other, (WerFileFlags)0x10000));
        Assert.Throws<ArgumentException>(() => report.AddDump(_c.Target.Pid, null, WerDumpType.MicroDump));
        Assert.Throws<ArgumentOutOfRangeException>(() => report.AddDump(_c.Target.Pid, null, (WerDumpType)9));
        report.Dispose();
        Assert.Throws<ObjectDisposedException>(() => report.SetParameter(0, null, "x"));
    }

    [Theory]
    [InlineData(WerReportType.NonCritical)]
    [InlineData(WerReportType.Critical)]
    [InlineData(WerReportType.ApplicationCrash)]
    [InlineData(WerReportType.ApplicationHang)]
    public async Task EachReportTypeIsUploaded(WerReportType type)
    {
        using var report = _c.NewReport(_server.Address, type);
        report.AddDump(_c.Target.Pid, null, WerDumpType.MiniDump);
        Assert.Equal(WerSubmitResult.ReportUploaded, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        var stage1 = System.Text.Json.JsonDocument.Parse(_server.StageOneBodies.Single()).RootElement;
        Assert.Equal(type.ToString(), stage1.GetProperty("reportType").GetString());
        Assert.Equal(["target", "1.0"], stage1.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["AppName", "P1"], stage1.GetProperty("parameterNames").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["mini"], stage1.GetProperty("dumps").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("mini", Assert.Single(_server.Dumps).Type);
        Assert.Equal(1, _server.Completed);
        Assert.Single(_c.Archived());
        _c.Target.AssertAlive();
    }

    [Theory]
    [InlineData(WerConsent.Approved, WerSubmitResult.ReportUploaded, 1, 0, 1)]
    [InlineData(WerConsent.Denied, WerSubmitResult.ReportCancelled, 0, 0, 1)]
    [InlineData(WerConsent.NotAsked, WerSubmitResult.ReportQueued, 0, 1, 0)]
    [InlineData(WerConsent.AlwaysPrompt, WerSubmitResult.ReportQueued, 0, 1, 0)]
    public async Task EachConsent(WerConsent consent, WerSubmitResult expected, int uploads, int queued, int archived)
    {
        using var report = _c.NewReport(_server.Address);
        Assert.Equal(expected, await report.SubmitAsync(consent, WerSubmitFlags.None));
        Assert.Equal(uploads, _server.Completed);
        Assert.Equal(queued, _c.Queued().Length);
        Assert.Equal(archived, _c.Archived().Length);
    }

    [Fact]
    public async Task QueueFlagQueuesWithoutSending()
    {
        using var report = _c.NewReport(_server.Address);
        Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.Queue));
        Assert.Equal(0, _server.StageOneCalls);
        Assert.Single(_c.Queued());
    }

    [Fact]
    public async Task NoArchiveAndArchiveParametersOnly()
    {
        using (var report = _c.NewReport(_server.Address))
            Assert.Equal(WerSubmitResult.ReportUploaded, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.NoArchive));
        Assert.Empty(_c.Archived());
        using (var report = _c.NewReport(_server.Address))
        {
            report.AddDump(_c.Target.Pid, null, WerDumpType.MiniDump);
            Assert.Equal(WerSubmitResult.ReportUploaded, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.ArchiveParametersOnly));
        }
        string archived = Assert.Single(_c.Archived());
        Assert.Equal(["report.json"], Directory.GetFiles(archived).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WithoutAServerReportingIsDisabled()
    {
        using (var report = _c.NewReport(null))
            Assert.Equal(WerSubmitResult.DisabledQueue, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        Assert.Single(_c.Queued());
        using (var report = _c.NewReport(null))
            Assert.Equal(WerSubmitResult.Disabled, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.NoQueue));
        Assert.Single(_c.Queued());
    }

    [Theory]
    [InlineData(WerDumpType.HeapDump, "mini", "mini", false)]  // asked mini, holds heap: a mini derived from it
    [InlineData(WerDumpType.HeapDump, "heap", "heap", true)]
    [InlineData(WerDumpType.MiniDump, "heap", "mini", false)]  // asked heap, holds mini: the mini
    [InlineData(WerDumpType.MiniDump, "mini", "mini", false)]
    [InlineData(WerDumpType.HeapDump, "none", null, false)]
    public async Task TheServerDecidesWhatIsSent(WerDumpType held, string wanted, string? sent, bool heapStringsInIt)
    {
        _server.Want = wanted;
        using var report = _c.NewReport(_server.Address);
        report.AddDump(_c.Target.Pid, null, held);
        Assert.Equal(WerSubmitResult.ReportUploaded, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.NoArchive));
        if (sent is null)
        {
            Assert.Empty(_server.Dumps);
            return;
        }
        var (type, bytes) = Assert.Single(_server.Dumps);
        Assert.Equal(sent, type);
        string path = _c.Dir.File("received.dmp");
        File.WriteAllBytes(path, bytes);
        // lldb, not our reader, says whether the heap string is in what the server got.
        string? heap = Lldb.ReadMemoryAscii(path, _c.Target.Address("heap"), 8);
        Assert.Equal(heapStringsInIt, heap is not null && heap.StartsWith("HEAPMARK", StringComparison.Ordinal));
        Assert.Contains("thread #", Lldb.Run(path, "thread list"));
    }

    [Fact]
    public async Task NoHeapOnQueueKeepsAMiniDumpDerivedFromTheHeapDump()
    {
        using var report = _c.NewReport(_server.Address);
        report.AddDump(_c.Target.Pid, null, WerDumpType.HeapDump, flags: WerDumpFlags.NoHeapOnQueue);
        Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.NotAsked, WerSubmitFlags.None));
        string queued = Assert.Single(_c.Queued());
        string dump = Assert.Single(Directory.GetFiles(queued, "*.dmp"));
        Assert.Equal("minidump.dmp", Path.GetFileName(dump));
        Assert.Null(Lldb.ReadMemoryAscii(dump, _c.Target.Address("heap"), 8)); // no heap strings left
        Assert.StartsWith("STACKMARK-1", Lldb.ReadMemoryAscii(dump, _c.Target.Address("stack1"), 11)); // stacks kept
        using var r = MinidumpReader.Open(dump);
        Assert.Equal(OpenWer.Dumps.DumpTypeFlags.Mini, r.Header.Flags);
        Assert.Empty(r.ReadMemory64List().Ranges);
    }

    [Fact]
    public async Task AServerThatIsDownLosesNoReport()
    {
        var down = TestServer.Down;
        using (var report = _c.NewReport(down))
        {
            report.AddDump(_c.Target.Pid, null, WerDumpType.MiniDump);
            Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        }
        string queued = Assert.Single(_c.Queued());
        Assert.Contains("server unreachable", File.ReadAllText(Path.Combine(queued, "report.json")));
        using (var report = _c.NewReport(down))
            Assert.Equal(WerSubmitResult.ReportFailed, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.NoQueue));
        Assert.Single(_c.Queued());
    }

    [Fact]
    public async Task ServerErrorsGarbageAndSlownessAreRetriedThenQueued()
    {
        _server.FailStageOneWith = 503;
        using (var report = _c.NewReport(_server.Address))
            Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        Assert.Equal(2, _server.StageOneCalls); // UploadAttempts = 2
        _server.FailStageOneWith = null;
        _server.Garbage = true;
        using (var report = _c.NewReport(_server.Address))
            Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        _server.Garbage = false;
        _server.Delay = TimeSpan.FromSeconds(3); // beyond the 2 s request timeout
        using (var report = _c.NewReport(_server.Address))
            Assert.Equal(WerSubmitResult.ReportQueued, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        Assert.Equal(3, _c.Queued().Length);
        Assert.Equal(0, _server.Completed);
    }

    [Fact]
    public async Task ThrottledByTheServer()
    {
        _server.FailStageOneWith = 429;
        using var report = _c.NewReport(_server.Address);
        Assert.Equal(WerSubmitResult.Throttled, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        Assert.Equal(1, _server.StageOneCalls); // not retried
        Assert.Single(_c.Queued());
    }

    [Fact]
    public async Task FilesGoOnlyWhenTheServerAsks()
    {
        string doc = _c.Dir.File("notes.txt");
        File.WriteAllText(doc, "user notes");
        using (var report = _c.NewReport(_server.Address))
        {
            report.AddFile(doc, WerFileType.UserDocument, WerFileFlags.None);
            await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.NoArchive);
        }
        Assert.Empty(_server.Files);
        _server.WantFiles = true;
        using (var report = _c.NewReport(_server.Address))
        {
            report.AddFile(doc, WerFileType.UserDocument, WerFileFlags.DeleteWhenDone);
            await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.NoArchive);
        }
        Assert.Equal(["notes.txt"], _server.Files);
        Assert.False(File.Exists(doc)); // DELETE_WHEN_DONE
    }

    [Fact]
    public async Task AddDumpWithExceptionInformationRecordsIt()
    {
        int worker = _c.Target.Int("worker1");
        using var report = _c.NewReport(null);
        report.AddDump(_c.Target.Pid, worker, WerDumpType.MicroDump, new WerExceptionInformation(11, 1, 0x10, worker));
        await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.Queue);
        string dump = Assert.Single(Directory.GetFiles(Assert.Single(_c.Queued()), "*.dmp"));
        using var r = MinidumpReader.Open(dump);
        var e = r.ReadException()!.Value;
        Assert.Equal((11u, 1u, 0x10UL, (uint)worker), (e.ExceptionCode, e.ExceptionFlags, e.ExceptionAddress, e.ThreadId));
        Assert.Equal((uint)worker, Assert.Single(r.ReadThreads()).ThreadId);
        Assert.Contains("stop reason = signal SIGSEGV", Lldb.Run(dump, "thread list"));
    }
}
