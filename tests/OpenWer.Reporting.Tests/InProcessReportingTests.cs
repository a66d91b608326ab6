using System.Diagnostics;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;

namespace OpenWer.Reporting.Tests;

/// <summary>
/// A .NET application registers crash reporting and dies of an unhandled exception: local dump, recovery
/// callback, report (dump with the registered memory block, the registered file), then termination.
/// </summary>
public sealed class InProcessReportingTests : IDisposable
{
    private static readonly string Wer = Path.Combine(AppContext.BaseDirectory, "wer");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AnUnhandledExceptionIsDumpedRecoveredReportedInOrder()
    {
        string store = _dir.File("store"), markers = Directory.CreateDirectory(_dir.File("markers")).FullName;
        string localFolder = _dir.File("local"), settings = _dir.File("localdumps.ini");
        File.WriteAllText(settings, $"[LocalDumps]\nDumpFolder={localFolder}\n");
        var psi = new ProcessStartInfo("dotnet", [ManagedFixture.BuiltDll("ReportingTarget")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["OPENWER_STORE"] = store;
        psi.Environment["OPENWER_WER"] = Wer;
        psi.Environment["OPENWER_LOCALDUMPS"] = settings;
        psi.Environment["OPENWER_MARKERS"] = markers;
        using var app = Process.Start(psi)!;
        string output = app.StandardOutput.ReadToEnd();
        string error = app.StandardError.ReadToEnd();
        Assert.True(app.WaitForExit(120_000));
        Assert.Equal(134, app.ExitCode); // the runtime ends the process (SIGABRT) once reporting is done
        Assert.Contains("OPENWER-REPORTED", error);
        ulong block = Convert.ToUInt64(output.Split('\n').First(l => l.StartsWith("BLOCK=", StringComparison.Ordinal))[6..].Trim(), 16);

        // In order: the local dump, then the recovery callback (which saw it), then the report.
        Assert.Equal("local dump", File.ReadAllText(Path.Combine(markers, "recovered")));
        // No server is configured: the report is queued (DisabledQueue).
        Assert.Equal("local dump,recovery,submitted: DisabledQueue,report,terminate", File.ReadAllText(Path.Combine(markers, "steps")));
        string local = Assert.Single(Directory.GetFiles(localFolder, "*.dmp"));
        Assert.Contains("thread #", Lldb.Run(local, "thread list"));

        string report = Assert.Single(Directory.GetDirectories(Path.Combine(store, "queue")));
        Assert.True(File.Exists(Path.Combine(report, "app.log")));
        string dump = Assert.Single(Directory.GetFiles(report, "*.dmp"));
        // The registered memory block is in the dump (ClrMD reads it), and the exception is the CLR's.
        using (var dt = Microsoft.Diagnostics.Runtime.DataTarget.LoadDump(dump, new Microsoft.Diagnostics.Runtime.DataTargetOptions { SymbolPaths = [] }))
        {
            var bytes = new byte[16];
            Assert.Equal(16, dt.DataReader.Read(block, bytes));
            Assert.StartsWith($"MEMBLOCK-{app.Id}", System.Text.Encoding.ASCII.GetString(bytes));
        }
        using var reader = MinidumpReader.Open(dump);
        Assert.Equal(0xE0434352u, reader.ReadException()!.Value.ExceptionCode);
    }
}
