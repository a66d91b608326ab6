using System.Globalization;

namespace OpenWer.Analysis.Signatures;

/// <summary>
/// WER's crash-bucket fields for a Linux dump: the application (the main module's name, and its version when the
/// dump holds one), the faulting module (the one holding the crashing thread's pc) with its build-id, the exception
/// code (the signal) and the fault pc's offset in its module. ASLR moves modules, not offsets: the same crash
/// in another run has the same bucket.
/// </summary>
public sealed record CrashBucket(string AppName, string AppVersion, string ModuleName, string? ModuleBuildId, uint ExceptionCode, ulong ModuleOffset)
{
    /// <summary>WER's name for a fault outside every module.</summary>
    public const string UnknownModule = "unknown";

    /// <summary>The fields in one line, in WER's order, for grouping and display.</summary>
    public string Key => string.Join(" | ", AppName, AppVersion, ModuleName, ModuleBuildId ?? "", ExceptionCode.ToString("x8", CultureInfo.InvariantCulture),
        "0x" + ModuleOffset.ToString("x", CultureInfo.InvariantCulture));
}
