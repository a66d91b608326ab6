namespace OpenWer.LocalDumps.Settings;

/// <summary>The four LocalDumps values, named as in the registry.</summary>
public enum LocalDumpsValue
{
    DumpFolder,
    DumpCount,
    DumpType,
    CustomDumpFlags,
}
