using System.Diagnostics;
using System.Globalization;
using OpenWer.Format.Writing;
using OpenWer.Reporting.Api;

namespace OpenWer.Reporting.InProcess;

/// <summary>
/// In-process crash reporting for a .NET application: one call registers it; an unhandled exception then
/// produces, in order, the local dump (if LocalDumps applies: its settings file exists), the recovery callback,
/// the report (with a dump of the chosen type, the registered files and memory blocks) and termination (the
/// runtime's own, once the handler returns). Dumps of the process are written by the helper while the
/// crashing thread waits.
/// </summary>
public static class CrashReporting
{
    /// <summary>WER's exception code for a managed (CLR) exception, "CCR".</summary>
    public const uint ClrExceptionCode = 0xE0434352;
    public const int MaxMemoryBlock = 64 * 1024, MaxRegistrations = 512;
    private static readonly Lock Gate = new();
    private static readonly List<(string Path, WerFileType Type, WerFileFlags Flags)> Files = [];
    private static readonly List<MemoryRange> Blocks = [];
    private static CrashReportingOptions? s_options;
    private static Func<bool>? s_recovery;

    /// <summary>What happened at the last crash, in order (for the application's own log, and tests).</summary>
    public static List<string> Steps { get; } = [];

    public static void Register(CrashReportingOptions options)
    {
        lock (Gate)
        {
            bool first = s_options is null;
            s_options = options;
            if (first)
                AppDomain.CurrentDomain.UnhandledException += (_, e) => OnUnhandled(e.ExceptionObject as Exception);
        }
    }

    /// <summary>WerRegisterFile: added to the report if the process crashes.</summary>
    public static void RegisterFile(string path, WerFileType type, WerFileFlags flags)
    {
        lock (Gate)
        {
            if (Files.Count + Blocks.Count >= MaxRegistrations)
                throw new InvalidOperationException($"at most {MaxRegistrations} registered files and memory blocks");
            Files.Add((path, type, flags));
        }
    }

    /// <summary>The registered files, for WER_SUBMIT_ADD_REGISTERED_DATA.</summary>
    public static IReadOnlyList<(string Path, WerFileType Type, WerFileFlags Flags)> RegisteredFiles()
    {
        lock (Gate)
            return [.. Files];
    }

    /// <summary>WerRegisterMemoryBlock: included in the report's dump if the process crashes (at most 64 KiB each).</summary>
    public static void RegisterMemoryBlock(nint address, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxMemoryBlock);
        lock (Gate)
        {
            if (Files.Count + Blocks.Count >= MaxRegistrations)
                throw new InvalidOperationException($"at most {MaxRegistrations} registered files and memory blocks");
            Blocks.Add(new MemoryRange((ulong)address, (ulong)size));
        }
    }

    /// <summary>RegisterApplicationRecoveryCallback: runs after the local dump, before the report.</summary>
    public static void RegisterRecovery(Func<bool> callback) => s_recovery = callback;

    private static void OnUnhandled(Exception? exception)
    {
        var options = s_options;
        if (options is null)
            return;
        int thread = DumpHelper.CurrentThreadId();
        var app = Process.GetCurrentProcess().MainModule?.FileName ?? Environment.ProcessPath ?? "";
        string appName = Path.GetFileName(app);
        try
        {
            if (File.Exists(options.LocalDumpsSettings))
            {
                Step("local dump", () => LocalDump(options, thread));
            }
            if (s_recovery is { } recovery)
                Step("recovery", () => recovery());
            Step("report", () =>
            {
                using var report = WerReport.Create(options.EventType, WerReportType.ApplicationCrash,
                    new WerReportInformation(appName, app, Truncate(exception?.Message, 500)), options.Reporting);
                report.SetParameter(0, "AppName", appName);
                report.SetParameter(1, "AppVer", System.Reflection.Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "0");
                report.SetParameter(2, "ExceptionType", exception?.GetType().FullName ?? "unknown");
                // The faulting frame, from the stack trace text (TargetSite needs reflection metadata trimming may remove).
                string? frame = exception?.StackTrace?.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
                report.SetParameter(3, "Frame", Truncate(frame, 250) ?? "unknown");
                lock (Gate)
                {
                    foreach (var (path, type, flags) in Files.Where(f => File.Exists(Environment.ExpandEnvironmentVariables(f.Path))))
                        report.AddFile(path, type, flags);
                }
                report.AddDump(Environment.ProcessId, thread, options.DumpType,
                    new WerExceptionInformation(unchecked((int)ClrExceptionCode), 0, 0, thread), null, options.DumpFlags, [.. Blocks]);
                var result = report.SubmitAsync(options.Consent, options.SubmitFlags).GetAwaiter().GetResult();
                Steps.Add($"submitted: {result}");
            });
        }
        finally
        {
            Steps.Add("terminate");
        }
    }

    private static void LocalDump(CrashReportingOptions options, int thread)
    {
        var psi = new ProcessStartInfo(options.Reporting.HelperPath) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "localdumps", "collect", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--thread", thread.ToString(CultureInfo.InvariantCulture), "--settings", options.LocalDumpsSettings })
            psi.ArgumentList.Add(a);
        DumpHelper.AllowTracing(() =>
        {
            using var p = Process.Start(psi)!;
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new IOException($"local dump failed: {error.Trim()}");
        });
    }

    private static void Step(string name, Action action)
    {
        try
        {
            action();
            Steps.Add(name);
        }
        catch (Exception e)
        {
            // A failing step must not keep the others from running: the crash is reported as far as it can be.
            Steps.Add($"{name} failed: {e.Message}");
            Console.Error.WriteLine($"crash reporting: {name} failed: {e.Message}");
        }
    }

    private static string? Truncate(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..max];
}
