using OpenWer.Reporting.Api;
using OpenWer.Reporting.Win32;

namespace OpenWer.Reporting.Tests;

/// <summary>The Win32-shaped facade returns WER's HRESULTs for the same situations the .NET API throws for.</summary>
[Collection("WerApi")] // WerApi.Options is process-wide
public sealed class Win32FacadeTests : IDisposable
{
    private readonly ReportContext _c = new();

    public Win32FacadeTests() => WerApi.Options = _c.Options(null);

    public void Dispose() => _c.Dispose();

    [Fact]
    public void CreateRejectsANullOrEmptyEventTypeAndLeavesTheHandleNull()
    {
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportCreate(null, WerReportType.Critical, null, out var h1));
        Assert.Equal(0, h1);
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportCreate("", WerReportType.Critical, null, out var h2));
        Assert.Equal(0, h2);
        Assert.Equal(HResult.WER_E_LENGTH_EXCEEDED, WerApi.WerReportCreate(new string('x', 64), WerReportType.Critical, null, out _));
    }

    [Fact]
    public void AReportThroughTheFacade()
    {
        Assert.Equal(HResult.S_OK, WerApi.WerReportCreate("Ported", (WerReportType)42, new WerReportInformation("app"), out var h));
        Assert.NotEqual(0, h);
        Assert.Equal(HResult.S_OK, WerApi.WerReportSetParameter(h, 0, null, "a"));
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportSetParameter(h, 2, null, "c")); // P1 not set
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportSetParameter(h, 10, null, "x"));
        Assert.Equal(HResult.WER_E_LENGTH_EXCEEDED, WerApi.WerReportSetParameter(h, 1, null, new string('v', 260)));
        Assert.Equal(HResult.FileNotFound, WerApi.WerReportAddFile(h, _c.Dir.File("nope"), WerFileType.Other, WerFileFlags.None));
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportAddDump(h, _c.Target.Pid, 0, WerDumpType.MicroDump, null, null, 0));
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportAddDump(h, 999_999_999, 0, WerDumpType.MiniDump, null, null, 0));
        Assert.Equal(HResult.S_OK, WerApi.WerReportAddDump(h, _c.Target.Pid, _c.Target.Pid, WerDumpType.MicroDump, null, null, 0));
        Assert.Equal(HResult.S_OK, WerApi.WerReportSubmit(h, WerConsent.Approved, WerSubmitFlags.None, out var result));
        Assert.Equal(WerSubmitResult.DisabledQueue, result); // no server configured
        Assert.Single(_c.Queued());
        Assert.Equal(HResult.S_OK, WerApi.WerReportCloseHandle(h));
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportCloseHandle(h)); // twice
        Assert.Equal(HResult.E_INVALIDARG, WerApi.WerReportCloseHandle(0));
        Assert.Equal(HResult.E_HANDLE, WerApi.WerReportSetParameter(h, 0, null, "x"));
        _c.Target.AssertAlive();
    }

    [Fact]
    public void SeveralReportsMayBeOpenAtOnce()
    {
        Assert.Equal(HResult.S_OK, WerApi.WerReportCreate("A", WerReportType.NonCritical, null, out var a));
        Assert.Equal(HResult.S_OK, WerApi.WerReportCreate("B", WerReportType.NonCritical, null, out var b));
        Assert.NotEqual(a, b);
        Assert.Equal(HResult.S_OK, WerApi.WerReportCloseHandle(a));
        Assert.Equal(HResult.S_OK, WerApi.WerReportSetParameter(b, 0, null, "still open"));
        Assert.Equal(HResult.S_OK, WerApi.WerReportCloseHandle(b));
    }
}
