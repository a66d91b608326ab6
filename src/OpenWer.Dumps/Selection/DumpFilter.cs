namespace OpenWer.Dumps.Selection;

/// <summary>
/// Per-thread and per-module choices, as a MiniDumpWriteDump callback makes them (WER_DUMP_CUSTOM_OPTIONS):
/// ThreadWriteFlags for the exception thread and the others, ModuleWriteFlags for preferred modules and the
/// others. A null value keeps everything. What each bit does on Linux:
/// Thread 1 (the thread is written at all), Stack 2 (its stack memory); Context 4 is always honoured as set,
/// since a thread entry needs a context. Module 1 (listed at all), DataSeg 2 (with WithDataSegs), CvRecord 8
/// (the build-id record), CodeSegs 0x40 (with WithCodeSegs). The Ex flags have no Linux meaning.
/// </summary>
public sealed record DumpFilter(uint? ExceptionThreadFlags, uint? OtherThreadFlags, uint? PreferredModuleFlags, uint? OtherModuleFlags,
    IReadOnlyList<string> PreferredModules)
{
    public const uint ThreadWriteThread = 1, ThreadWriteStack = 2, ThreadWriteContext = 4;
    public const uint ModuleWriteModule = 1, ModuleWriteDataSeg = 2, ModuleWriteCvRecord = 8, ModuleWriteCodeSegs = 0x40;

    public uint ThreadFlags(bool exceptionThread) => (exceptionThread ? ExceptionThreadFlags : OtherThreadFlags) ?? uint.MaxValue;

    /// <summary>"*" alone means every module; mixed with names it is ignored, as in WER.</summary>
    public uint ModuleFlags(string moduleName)
    {
        var names = PreferredModules.Where(n => n != "*").ToList();
        bool all = PreferredModules.Count == 1 && PreferredModules[0] == "*";
        bool preferred = all || names.Any(n => n.Equals(Path.GetFileName(moduleName), StringComparison.OrdinalIgnoreCase));
        return (preferred ? PreferredModuleFlags : OtherModuleFlags) ?? uint.MaxValue;
    }
}
