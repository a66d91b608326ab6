using System.Collections.Concurrent;
using OpenWer.Capture;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.Win32;

/// <summary>
/// The Win32-shaped facade, for code being ported: WER's function names, constant values and HRESULTs over the
/// same implementation as <see cref="WerReport"/>. Handles are opaque numbers; a closed or unknown one is E_HANDLE
/// (E_INVALIDARG for a null one, as WER answers WerReportCloseHandle(NULL)).
/// </summary>
public static class WerApi
{
    private static readonly ConcurrentDictionary<nint, WerReport> Reports = new();
    private static long s_next = 0x1000;

    /// <summary>Where reports go; set once by the application.</summary>
    public static ReportingOptions Options { get; set; } = new(ReportingOptions.DefaultStoreFolder,
        Environment.GetEnvironmentVariable("OPENWER_SERVER") is { Length: > 0 } s ? new Uri(s) : null);

    public static int WerReportCreate(string? eventType, WerReportType repType, WerReportInformation? reportInformation, out nint reportHandle)
    {
        reportHandle = 0;
        if (string.IsNullOrEmpty(eventType))
            return HResult.E_INVALIDARG;
        return Call(() =>
        {
            var report = WerReport.Create(eventType, repType, reportInformation ?? new WerReportInformation(AppDomain.CurrentDomain.FriendlyName), Options);
            nint handle = (nint)Interlocked.Increment(ref s_next);
            Reports[handle] = report;
            return handle;
        }, out reportHandle);
    }

    public static int WerReportSetParameter(nint reportHandle, uint index, string? name, string? value) =>
        With(reportHandle, r => r.SetParameter(checked((int)Math.Min(index, int.MaxValue)), name, value ?? throw new ArgumentNullException(nameof(value))));

    public static int WerReportAddFile(nint reportHandle, string? path, WerFileType repFileType, WerFileFlags fileFlags) =>
        With(reportHandle, r => r.AddFile(path ?? throw new ArgumentNullException(nameof(path)), repFileType, fileFlags));

    /// <summary>threadId 0 means none (a micro dump then fails with E_INVALIDARG, as in WER).</summary>
    public static int WerReportAddDump(nint reportHandle, int processId, int threadId, WerDumpType dumpType,
        WerExceptionInformation? exceptionParam, WerDumpCustomOptions? dumpCustomOptions, WerDumpFlags flags) =>
        With(reportHandle, r => r.AddDump(processId, threadId == 0 ? null : threadId, dumpType, exceptionParam, dumpCustomOptions, flags));

    public static int WerReportSubmit(nint reportHandle, WerConsent consent, WerSubmitFlags flags, out WerSubmitResult submitResult)
    {
        submitResult = 0;
        if (!Reports.TryGetValue(reportHandle, out var report))
            return reportHandle == 0 ? HResult.E_INVALIDARG : HResult.E_HANDLE;
        return Call(() => report.SubmitAsync(consent, flags).GetAwaiter().GetResult(), out submitResult);
    }

    public static int WerReportCloseHandle(nint reportHandle)
    {
        if (reportHandle == 0 || !Reports.TryRemove(reportHandle, out var report))
            return HResult.E_INVALIDARG;
        report.Dispose();
        return HResult.S_OK;
    }

    private static int With(nint handle, Action<WerReport> action)
    {
        if (!Reports.TryGetValue(handle, out var report))
            return handle == 0 ? HResult.E_INVALIDARG : HResult.E_HANDLE;
        return Call(() => { action(report); return 0; }, out _);
    }

    private static int Call<T>(Func<T> action, out T result)
    {
        result = default!;
        try
        {
            result = action();
            return HResult.S_OK;
        }
        catch (FileNotFoundException) { return HResult.FileNotFound; }
        catch (WerLengthExceededException) { return HResult.WER_E_LENGTH_EXCEEDED; }
        catch (ArgumentException) { return HResult.E_INVALIDARG; }
        catch (ObjectDisposedException) { return HResult.E_HANDLE; }
        catch (InvalidOperationException) { return HResult.E_INVALIDARG; }
        catch (PtraceDeniedException) { return HResult.AccessDenied; }
        catch (ProcessNotFoundException) { return HResult.E_INVALIDARG; }
        catch (Exception e) when (e is IOException or CaptureException) { return HResult.E_FAIL; }
    }
}
