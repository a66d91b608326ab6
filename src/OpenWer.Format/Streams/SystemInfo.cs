using System.Buffers.Binary;

namespace OpenWer.Format.Streams;

/// <summary>MINIDUMP_SYSTEM_INFO (56 bytes).</summary>
public readonly record struct SystemInfo(
    ProcessorArchitecture ProcessorArchitecture, ushort ProcessorLevel, ushort ProcessorRevision,
    byte NumberOfProcessors, byte ProductType, uint MajorVersion, uint MinorVersion, uint BuildNumber,
    PlatformId PlatformId, uint CsdVersionRva, uint VendorId0, uint VendorId1, uint VendorId2,
    uint VersionInformation, uint FeatureInformation, uint AmdExtendedCpuFeatures)
{
    public const int Size = 56;

    public void Write(Span<byte> d)
    {
        d[..Size].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)ProcessorArchitecture);
        BinaryPrimitives.WriteUInt16LittleEndian(d[2..], ProcessorLevel);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], ProcessorRevision);
        d[6] = NumberOfProcessors;
        d[7] = ProductType;
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], MajorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], MinorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], BuildNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x14..], (uint)PlatformId);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x18..], CsdVersionRva);
        // CPU_INFORMATION at 0x20: x86 VendorId[3], VersionInformation, FeatureInformation, AMDExtendedCpuFeatures.
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x20..], VendorId0);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x24..], VendorId1);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x28..], VendorId2);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x2C..], VersionInformation);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x30..], FeatureInformation);
        BinaryPrimitives.WriteUInt32LittleEndian(d[0x34..], AmdExtendedCpuFeatures);
    }

    public static SystemInfo Read(ReadOnlySpan<byte> s) => new(
        (ProcessorArchitecture)BinaryPrimitives.ReadUInt16LittleEndian(s), BinaryPrimitives.ReadUInt16LittleEndian(s[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(s[4..]), s[6], s[7],
        BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt32LittleEndian(s[12..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[16..]), (PlatformId)BinaryPrimitives.ReadUInt32LittleEndian(s[0x14..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[0x18..]), BinaryPrimitives.ReadUInt32LittleEndian(s[0x20..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[0x24..]), BinaryPrimitives.ReadUInt32LittleEndian(s[0x28..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[0x2C..]), BinaryPrimitives.ReadUInt32LittleEndian(s[0x30..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[0x34..]));
}

public enum ProcessorArchitecture : ushort
{
    Intel = 0,
    Arm = 5,
    Amd64 = 9,
    Arm64 = 12,
    /// <summary>Breakpad's old arm64 value; ClrMD rejects it, so we never write it.</summary>
    BreakpadArm64Old = 0x8003,
}

public enum PlatformId : uint
{
    Linux = 0x8201,
    Android = 0x8203,
}
