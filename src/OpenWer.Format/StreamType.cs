namespace OpenWer.Format;

/// <summary>MINIDUMP_STREAM_TYPE values, plus the Breakpad Linux extensions (minidump_format.h).</summary>
public enum StreamType : uint
{
    Unused = 0,
    ThreadList = 3,
    ModuleList = 4,
    MemoryList = 5,
    Exception = 6,
    SystemInfo = 7,
    Memory64List = 9,
    HandleData = 12,
    UnloadedModuleList = 14,
    MiscInfo = 15,
    MemoryInfoList = 16,
    ThreadInfoList = 17,
    Token = 19,
    ThreadNames = 24,

    BreakpadInfo = 0x47670001,
    LinuxCpuInfo = 0x47670003,
    LinuxProcStatus = 0x47670004,
    LinuxLsbRelease = 0x47670005,
    LinuxCmdLine = 0x47670006,
    LinuxEnviron = 0x47670007,
    LinuxAuxv = 0x47670008,
    LinuxMaps = 0x47670009,
    LinuxDsoDebug = 0x4767000A,
}
