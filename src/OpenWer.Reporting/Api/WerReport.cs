using OpenWer.Snapshot;
using OpenWer.Dumps;
using OpenWer.Dumps.Refilter;
using OpenWer.Format;
using OpenWer.Reporting.InProcess;
using OpenWer.Reporting.Store;
using OpenWer.Reporting.Upload;

namespace OpenWer.Reporting.Api;

/// <summary>
/// An error report, as WerReportCreate makes one: parameters P0..P9, files and dumps, then a submission that
/// uploads it, queues it or archives it. Dumps are taken when added (as WER does), into the report's folder.
/// Argument errors throw the usual .NET exceptions; the Win32-shaped facade maps them to HRESULTs.
/// </summary>
public sealed class WerReport : IDisposable
{
    public const int MaxEventType = 64, MaxParameters = 10, MaxParameterName = 128, MaxParameterValue = 260;
    private readonly ReportStore _store;
    private readonly ReportingOptions _options;
    private readonly string _folder;
    private readonly ReportManifest _manifest;
    private bool _closed;
    private bool _asyncSubmission;

    public string Id => _manifest.Id;
    public string Folder => _folder;

    private WerReport(ReportingOptions options, ReportManifest manifest)
    {
        _options = options;
        _store = new ReportStore(options.StoreFolder, options.MaxQueued, options.MaxArchived);
        _manifest = manifest;
        _folder = _store.NewFolder(manifest.Id);
        ReportStore.Save(_folder, _manifest);
    }

    public static WerReport Create(string eventType, WerReportType reportType, WerReportInformation information, ReportingOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(information);
        if (eventType.Length >= MaxEventType)
            throw new WerLengthExceededException(nameof(eventType), $"the event type is {eventType.Length} characters; WER allows {MaxEventType - 1}");
        information.Validate();
        // Like WER, the report type is not validated here.
        return new WerReport(options, new ReportManifest
        {
            EventType = eventType,
            ReportType = reportType,
            ApplicationName = information.ApplicationName,
            ApplicationPath = information.ApplicationPath,
            Description = information.Description,
            FriendlyEventName = information.FriendlyEventName,
        });
    }

    /// <summary>Sets P&lt;index&gt; (0..9); P0..P(index-1) must be set first. A null name means "P&lt;index&gt;".</summary>
    public void SetParameter(int index, string? name, string value)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxParameters);
        if (Enumerable.Range(0, index).Any(i => _manifest.Parameters.All(p => p.Index != i)))
            throw new InvalidOperationException($"P{index} needs P0..P{index - 1} set first");
        name ??= $"P{index}";
        if (name.Length >= MaxParameterName || value.Length >= MaxParameterValue)
            throw new WerLengthExceededException(nameof(value), $"parameter names are at most {MaxParameterName - 1} characters, values {MaxParameterValue - 1}");
        _manifest.Parameters.RemoveAll(p => p.Index == index);
        _manifest.Parameters.Add(new ReportParameter { Index = index, Name = name, Value = value });
        ReportStore.Save(_folder, _manifest);
    }

    /// <summary>Copies a file into the report (environment variables in the path are expanded).</summary>
    public void AddFile(string path, WerFileType type, WerFileFlags flags)
    {
        ThrowIfClosed();
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(type))
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a WER_FILE_TYPE");
        if (((int)flags & ~0xFFFF) != 0 || ((int)flags & ~3) != 0)
            throw new ArgumentOutOfRangeException(nameof(flags), flags, "WER_FILE_* flags are DELETE_WHEN_DONE (1) and ANONYMOUS_DATA (2)");
        string full = Environment.ExpandEnvironmentVariables(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"{full} does not exist", full);
        string name = UniqueName(Path.GetFileName(full));
        File.Copy(full, Path.Combine(_folder, name));
        if ((flags & WerFileFlags.DeleteWhenDone) != 0)
            File.Delete(full);
        _manifest.Files.Add(new ReportFile { Name = name, Type = type, Flags = flags, OriginalPath = full });
        ReportStore.Save(_folder, _manifest);
    }

    /// <summary>
    /// Takes a dump of a process into the report. A micro dump needs a thread (WER: E_INVALIDARG otherwise).
    /// Custom options, where their mask bits say so, replace the type's flags (DUMPTYPE) and limit the dump to
    /// the thread (ONLY_THISTHREAD, or exception-thread-only when the other threads' flags are 0).
    /// </summary>
    public void AddDump(int processId, int? threadId, WerDumpType type, WerExceptionInformation? exception = null,
        WerDumpCustomOptions? customOptions = null, WerDumpFlags flags = WerDumpFlags.None) =>
        AddDump(processId, threadId, type, exception, customOptions, flags, []);

    /// <summary>As <see cref="AddDump(int, int?, WerDumpType, WerExceptionInformation?, WerDumpCustomOptions?, WerDumpFlags)"/>, with memory blocks to include.</summary>
    public void AddDump(int processId, int? threadId, WerDumpType type, WerExceptionInformation? exception,
        WerDumpCustomOptions? customOptions, WerDumpFlags flags, IReadOnlyList<Format.Writing.MemoryRange> extraMemory)
    {
        ThrowIfClosed();
        if (!Enum.IsDefined(type))
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a WER_DUMP_TYPE");
        if (type == WerDumpType.MicroDump && threadId is null)
            throw new ArgumentException("a micro dump needs a thread", nameof(threadId));
        if (((int)flags & ~3) != 0)
            throw new ArgumentOutOfRangeException(nameof(flags), flags, "WER_DUMP_* flags are NOHEAP_ONQUEUE (1) and AUXILIARY (2)");
        var dumpType = type switch
        {
            WerDumpType.MicroDump => DumpType.Micro,
            WerDumpType.HeapDump => DumpType.Heap,
            _ => DumpType.Mini, // triage: mini on Linux
        };
        var minidumpFlags = customOptions is { } c && c.Has(WerDumpCustomOptions.MaskDumpType)
            ? DumpTypeFlags.Validate(c.DumpFlags)
            : DumpTypeFlags.For(dumpType);
        bool onlyThread = type == WerDumpType.MicroDump
            || customOptions is { } o && (o.Has(WerDumpCustomOptions.MaskOnlyThisThread) && o.OnlyThisThread
                || o.Has(WerDumpCustomOptions.MaskOtherThreadFlags) && o.OtherThreadFlags == 0);
        var fileType = type switch
        {
            WerDumpType.MicroDump => WerFileType.Microdump,
            WerDumpType.HeapDump => WerFileType.Heapdump,
            WerDumpType.TriageDump => WerFileType.Triagedump,
            _ => WerFileType.Minidump,
        };
        string name = UniqueName($"{fileType.ToString().ToLowerInvariant()}.dmp");
        string output = Path.Combine(_folder, name);
        var filter = customOptions is { } co ? new Dumps.Selection.DumpFilter(
            co.Has(WerDumpCustomOptions.MaskThreadFlags) ? co.ExceptionThreadFlags : null,
            co.Has(WerDumpCustomOptions.MaskOtherThreadFlags) ? co.OtherThreadFlags : null,
            co.Has(WerDumpCustomOptions.MaskPreferredModuleFlags) ? co.PreferredModuleFlags : null,
            co.Has(WerDumpCustomOptions.MaskOtherModuleFlags) ? co.OtherModuleFlags : null,
            co.Has(WerDumpCustomOptions.MaskPreferredModuleList) ? co.PreferredModuleList : []) : null;
        if (processId == Environment.ProcessId)
        {
            DumpHelper.DumpSelf(_options.HelperPath, exception?.ThreadId ?? threadId ?? DumpHelper.CurrentThreadId(), minidumpFlags, onlyThread, output,
                extraMemory, exception is null ? null : ((uint)exception.Signal, (uint)exception.SignalCode, exception.Address), filter);
        }
        else
        {
            LiveDumper.Dump(new DumpRequest(processId, minidumpFlags, exception?.ThreadId ?? threadId, onlyThread, output)
            {
                Exception = exception is null ? null : new ExceptionSnapshot(exception.ThreadId, (uint)exception.Signal, (uint)exception.SignalCode, exception.Address, []),
                ExtraMemory = extraMemory,
                Filter = filter,
            });
        }
        _manifest.Files.Add(new ReportFile { Name = name, Type = fileType, DumpFlags = flags });
        ReportStore.Save(_folder, _manifest);
    }

    public async Task<WerSubmitResult> SubmitAsync(WerConsent consent, WerSubmitFlags flags, HttpClient? http = null, CancellationToken cancel = default)
    {
        ThrowIfClosed();
        if (!Enum.IsDefined(consent))
            throw new ArgumentOutOfRangeException(nameof(consent), consent, "not a WER_CONSENT");
        if (!CanStore())
            return WerSubmitResult.StorageLocationNotFound;
        if (flags.HasFlag(WerSubmitFlags.AddRegisteredData))
            AddRegisteredData();
        if (flags.HasFlag(WerSubmitFlags.ReportMachineId))
            _manifest.MachineId = MachineId();
        if (flags.HasFlag(WerSubmitFlags.OutOfProcessAsync))
        {
            // Returns at once; the submission goes on in the background (WER: "the result is undefined").
            var rest = flags & ~WerSubmitFlags.OutOfProcessAsync;
            _asyncSubmission = true;
            _ = Task.Run(() => SubmitAsync(consent, rest, http, CancellationToken.None));
            return WerSubmitResult.ReportAsync;
        }
        bool noQueue = flags.HasFlag(WerSubmitFlags.NoQueue);
        if (flags.HasFlag(WerSubmitFlags.Queue) && !noQueue)
            return QueueReport(WerSubmitResult.ReportQueued);
        if (consent == WerConsent.Denied)
            return Finish(archive: !flags.HasFlag(WerSubmitFlags.NoArchive), flags, WerSubmitResult.ReportCancelled);
        if (_options.Server is null)
            return noQueue ? Finish(archive: false, flags, WerSubmitResult.Disabled) : QueueReport(WerSubmitResult.DisabledQueue);
        if (consent is WerConsent.NotAsked or WerConsent.AlwaysPrompt)
            // There is no one to ask in a crashing service: WER queues the report for later consent.
            return noQueue ? Finish(archive: false, flags, WerSubmitResult.ReportCancelled) : QueueReport(WerSubmitResult.ReportQueued);

        using var owned = http is null ? new HttpClient() : null;
        var uploader = new ReportUploader(http ?? owned!, _options.Server, _options, (heap, mini) => MinidumpRefilter.Derive(heap, mini, DumpTypeFlags.Mini));
        var outcome = await uploader.UploadAsync(_folder, _manifest, cancel);
        _manifest.UploadAttempts++;
        _manifest.LastError = outcome.Error;
        ReportStore.Save(_folder, _manifest);
        return outcome.Status switch
        {
            UploadStatus.Uploaded => Finish(archive: !flags.HasFlag(WerSubmitFlags.NoArchive), flags, WerSubmitResult.ReportUploaded),
            UploadStatus.Throttled => noQueue ? Finish(false, flags, WerSubmitResult.Throttled) : QueueReport(WerSubmitResult.Throttled),
            UploadStatus.Rejected => Finish(archive: !flags.HasFlag(WerSubmitFlags.NoArchive), flags, WerSubmitResult.ReportFailed),
            _ => noQueue ? Finish(false, flags, WerSubmitResult.ReportFailed) : QueueReport(WerSubmitResult.ReportQueued),
        };
    }

    private bool CanStore()
    {
        try
        {
            Directory.CreateDirectory(_store.Queue);
            Directory.CreateDirectory(_store.Archive);
            return Directory.Exists(_folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>WER_SUBMIT_ADD_REGISTERED_DATA: the files registered for crash reporting go into this report too.</summary>
    private void AddRegisteredData()
    {
        foreach (var (path, type, flags) in InProcess.CrashReporting.RegisteredFiles())
            if (File.Exists(Environment.ExpandEnvironmentVariables(path)))
                AddFile(path, type, flags);
    }

    private static string? MachineId() =>
        File.Exists("/etc/machine-id") ? File.ReadAllText("/etc/machine-id").Trim() : null;

    /// <summary>Queues the report; with NOHEAP_ONQUEUE a heap dump is replaced by a mini dump derived from it (not re-captured).</summary>
    private WerSubmitResult QueueReport(WerSubmitResult result)
    {
        foreach (var heap in _manifest.Files.Where(f => f.Type == WerFileType.Heapdump && f.DumpFlags.HasFlag(WerDumpFlags.NoHeapOnQueue)).ToList())
        {
            string heapPath = Path.Combine(_folder, heap.Name);
            string miniName = UniqueName("minidump.dmp");
            MinidumpRefilter.Derive(heapPath, Path.Combine(_folder, miniName), DumpTypeFlags.Mini);
            File.Delete(heapPath);
            heap.Name = miniName;
            heap.Type = WerFileType.Minidump;
        }
        ReportStore.Save(_folder, _manifest);
        _store.MoveTo(_folder, _store.Queue);
        _closed = true;
        return result;
    }

    private WerSubmitResult Finish(bool archive, WerSubmitFlags flags, WerSubmitResult result)
    {
        if (archive && flags.HasFlag(WerSubmitFlags.ArchiveParametersOnly))
        {
            foreach (var f in _manifest.Files)
                File.Delete(Path.Combine(_folder, f.Name));
            _manifest.Files.Clear();
            ReportStore.Save(_folder, _manifest);
        }
        if (archive)
            _store.MoveTo(_folder, _store.Archive);
        else
            Directory.Delete(_folder, recursive: true);
        _closed = true;
        return result;
    }

    private string UniqueName(string name)
    {
        string candidate = name;
        for (int i = 1; File.Exists(Path.Combine(_folder, candidate)) || candidate == ReportStore.ManifestName; i++)
            candidate = $"{Path.GetFileNameWithoutExtension(name)}.{i}{Path.GetExtension(name)}";
        return candidate;
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);

    /// <summary>Closing a report that was never submitted discards it, as WerReportCloseHandle does.</summary>
    public void Dispose()
    {
        if (_closed || _asyncSubmission)
            return; // an asynchronous submission owns the report now
        _closed = true;
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
