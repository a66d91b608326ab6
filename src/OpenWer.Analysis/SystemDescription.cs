using OpenWer.Format.Streams;

namespace OpenWer.Analysis;

/// <summary>The dump's SystemInfo in rust-minidump's terms: os, os_ver, cpu_arch, cpu_count.</summary>
public sealed record SystemDescription(string Os, string OsVersion, string CpuArch, int CpuCount)
{
    public static SystemDescription From(SystemInfo? info) => info is not { } s
        ? new("unknown", "", "unknown", 0)
        : new(s.PlatformId switch { PlatformId.Linux => "Linux", PlatformId.Android => "Android", _ => $"0x{(uint)s.PlatformId:x}" },
            $"{s.MajorVersion}.{s.MinorVersion}.{s.BuildNumber}",
            s.ProcessorArchitecture switch
            {
                ProcessorArchitecture.Amd64 => "amd64",
                ProcessorArchitecture.Intel => "x86",
                ProcessorArchitecture.Arm64 or ProcessorArchitecture.BreakpadArm64Old => "arm64",
                ProcessorArchitecture.Arm => "arm",
                _ => "unknown",
            }, s.NumberOfProcessors);
}
