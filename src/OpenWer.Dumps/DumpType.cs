namespace OpenWer.Dumps;

/// <summary>The dump types of WerReportAddDump, plus a full dump (LocalDumps DumpType 2).</summary>
public enum DumpType
{
    Micro = 1,
    Mini = 2,
    Heap = 3,
    Full = 100,
}
