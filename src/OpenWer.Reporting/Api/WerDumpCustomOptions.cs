namespace OpenWer.Reporting.Api;

/// <summary>
/// WER_DUMP_CUSTOM_OPTIONS. A field counts only when its bit is set in <see cref="Mask"/> (WER_DUMP_MASK_*).
/// Thread and module write flags are MiniDumpCallback's ThreadWriteFlags and ModuleWriteFlags.
/// </summary>
public sealed record WerDumpCustomOptions
{
    public const uint MaskDumpType = 1 << 0, MaskOnlyThisThread = 1 << 1, MaskThreadFlags = 1 << 2, MaskThreadFlagsEx = 1 << 3,
        MaskOtherThreadFlags = 1 << 4, MaskOtherThreadFlagsEx = 1 << 5, MaskPreferredModuleFlags = 1 << 6, MaskOtherModuleFlags = 1 << 7,
        MaskPreferredModuleList = 1 << 8;

    public uint Mask { get; init; }
    public uint DumpFlags { get; init; }
    public bool OnlyThisThread { get; init; }
    public uint ExceptionThreadFlags { get; init; }
    public uint OtherThreadFlags { get; init; }
    public uint ExceptionThreadExFlags { get; init; }
    public uint OtherThreadExFlags { get; init; }
    public uint PreferredModuleFlags { get; init; }
    public uint OtherModuleFlags { get; init; }
    /// <summary>Module names; "*" alone means all modules (mixed with names it is ignored, as in WER).</summary>
    public IReadOnlyList<string> PreferredModuleList { get; init; } = [];

    public bool Has(uint bit) => (Mask & bit) == bit;
}
