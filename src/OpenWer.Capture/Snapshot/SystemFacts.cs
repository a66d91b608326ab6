using OpenWer.Format.Streams;

namespace OpenWer.Capture.Snapshot;

/// <summary>The machine the process ran on.</summary>
public sealed record SystemFacts(ProcessorArchitecture Architecture, int ProcessorCount, ushort ProcessorLevel, ushort ProcessorRevision,
    uint KernelMajor, uint KernelMinor, uint KernelPatch, string UnameDescription, uint[] CpuVendor, uint CpuVersion, uint CpuFeatures,
    ulong BootTimeUnixSeconds, ulong ClockTicksPerSecond);
