namespace OpenWer.Reporting.Api;

// WER's names and values (../shared/wer-api.md, werapi.h).

/// <summary>WER_REPORT_TYPE.</summary>
public enum WerReportType
{
    NonCritical = 0,
    Critical = 1,
    ApplicationCrash = 2,
    ApplicationHang = 3,
    Kernel = 4,
    Invalid = 5,
}

/// <summary>WER_CONSENT.</summary>
public enum WerConsent
{
    NotAsked = 1,
    Approved = 2,
    Denied = 3,
    AlwaysPrompt = 4,
}

/// <summary>WER_SUBMIT_* flags.</summary>
[Flags]
public enum WerSubmitFlags
{
    None = 0,
    HonorRecovery = 1,
    HonorRestart = 2,
    Queue = 4,
    ShowDebug = 8,
    AddRegisteredData = 16,
    OutOfProcess = 32,
    NoCloseUI = 64,
    NoQueue = 128,
    NoArchive = 256,
    StartMinimized = 512,
    OutOfProcessAsync = 1024,
    BypassDataThrottling = 2048,
    ArchiveParametersOnly = 4096,
    ReportMachineId = 8192,
}

/// <summary>WER_SUBMIT_RESULT.</summary>
public enum WerSubmitResult
{
    ReportQueued = 1,
    ReportUploaded = 2,
    ReportDebug = 3,
    ReportFailed = 4,
    Disabled = 5,
    ReportCancelled = 6,
    DisabledQueue = 7,
    ReportAsync = 8,
    CustomAction = 9,
    Throttled = 10,
    ReportUploadedCab = 11,
    StorageLocationNotFound = 12,
}

/// <summary>WER_FILE_TYPE.</summary>
public enum WerFileType
{
    Microdump = 1,
    Minidump = 2,
    Heapdump = 3,
    UserDocument = 4,
    Other = 5,
    Triagedump = 6,
    CustomDump = 7,
    AuxiliaryDump = 8,
    EtlTrace = 9,
}

/// <summary>WER_FILE_* flags; only the low 16 bits are flags.</summary>
[Flags]
public enum WerFileFlags
{
    None = 0,
    DeleteWhenDone = 1,
    AnonymousData = 2,
}

/// <summary>WER_DUMP_TYPE.</summary>
public enum WerDumpType
{
    MicroDump = 1,
    MiniDump = 2,
    HeapDump = 3,
    TriageDump = 4,
}

/// <summary>WER_DUMP_* flags of WerReportAddDump.</summary>
[Flags]
public enum WerDumpFlags
{
    None = 0,
    NoHeapOnQueue = 1,
    Auxiliary = 2,
}
