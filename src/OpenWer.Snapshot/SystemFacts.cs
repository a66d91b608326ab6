using OpenWer.Format.Streams;

namespace OpenWer.Snapshot;

/// <summary>The machine the process ran on; <see cref="Architecture"/> is the process's own (Intel for an i386 process on x86_64).</summary>
public sealed record SystemFacts(ProcessorArchitecture Architecture, int ProcessorCount, ushort ProcessorLevel, ushort ProcessorRevision,
    uint KernelMajor, uint KernelMinor, uint KernelPatch, string UnameDescription, uint[] CpuVendor, uint CpuVersion, uint CpuFeatures,
    ulong BootTimeUnixSeconds, ulong ClockTicksPerSecond)
{
    /// <summary>The size of a pointer in the process: 4 for a 32-bit process (x86, ARM), 8 otherwise.</summary>
    public int PointerSize => Architecture is ProcessorArchitecture.Intel or ProcessorArchitecture.Arm ? 4 : 8;
}
