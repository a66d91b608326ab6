using System.Text.Json;
using OpenWer.Reporting.Api;
using OpenWer.Reporting.InProcess;

namespace OpenWer.Reporting.Tests;

/// <summary>The submit flags beyond queueing and archiving, and the results they give.</summary>
public sealed class SubmitFlagTests : IDisposable
{
    private readonly ReportContext _c = new();
    private readonly TestServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _c.Dispose();
    }

    [Fact]
    public async Task OutOfProcessAsyncReturnsAtOnceAndStillDelivers()
    {
        _server.Delay = TimeSpan.FromMilliseconds(300);
        using (var report = _c.NewReport(_server.Address))
            Assert.Equal(WerSubmitResult.ReportAsync, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.OutOfProcessAsync));
        Assert.Equal(0, _server.Completed);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_c.Archived().Length == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(1, _server.Completed);
        Assert.Single(_c.Archived());
    }

    [Fact]
    public async Task ReportMachineIdSendsTheMachinesId()
    {
        using (var report = _c.NewReport(_server.Address))
            await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.ReportMachineId);
        using (var report = _c.NewReport(_server.Address))
            await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None);
        string? expected = File.Exists("/etc/machine-id") ? File.ReadAllText("/etc/machine-id").Trim() : null;
        string? Id(string body) => JsonDocument.Parse(body).RootElement.TryGetProperty("machineId", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        Assert.Equal(expected, Id(_server.StageOneBodies[0]));
        Assert.Null(Id(_server.StageOneBodies[1]));
    }

    [Fact]
    public async Task AddRegisteredDataAddsTheRegisteredFiles()
    {
        string registered = _c.Dir.File("registered.log");
        File.WriteAllText(registered, "registered for crashes");
        CrashReporting.RegisterFile(registered, WerFileType.Other, WerFileFlags.None);
        _server.WantFiles = true;
        using (var report = _c.NewReport(_server.Address))
            await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.AddRegisteredData | WerSubmitFlags.NoArchive);
        Assert.Contains("registered.log", _server.Files);
    }

    [Fact]
    public async Task AStoreThatCannotBeWrittenIsStorageLocationNotFound()
    {
        using var report = _c.NewReport(_server.Address);
        File.WriteAllText(Path.Combine(_c.Store, "queue"), "a file where the queue folder should be");
        Assert.Equal(WerSubmitResult.StorageLocationNotFound, await report.SubmitAsync(WerConsent.Approved, WerSubmitFlags.None));
        Assert.Equal(0, _server.StageOneCalls);
    }
}
