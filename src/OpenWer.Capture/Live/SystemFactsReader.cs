using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using OpenWer.Capture.Native;
using OpenWer.Capture.Proc;
using OpenWer.Snapshot;
using OpenWer.Format.Streams;

namespace OpenWer.Capture.Live;

/// <summary>Facts about this machine: CPU (cpuid on x86), kernel version, boot time, clock tick rate.</summary>
public static class SystemFactsReader
{
    public static SystemFacts Read()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => ProcessorArchitecture.Amd64,
            Architecture.Arm64 => ProcessorArchitecture.Arm64,
            var other => throw new PlatformNotSupportedException($"dumping {other} processes is not supported"),
        };
        string release = ProcFiles.ReadText("/proc/sys/kernel/osrelease").Trim();
        var numbers = release.Split('.', '-').Select(p => uint.TryParse(new string(p.TakeWhile(char.IsDigit).ToArray()), out uint v) ? v : 0).ToArray();
        string uname = string.Join(' ', ProcFiles.ReadText("/proc/sys/kernel/ostype").Trim(), release,
            ProcFiles.ReadText("/proc/sys/kernel/version").Trim(), RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "x86_64" : "aarch64");
        uint[] vendor = [0, 0, 0];
        uint version = 0, features = 0;
        ushort level = 0, revision = 0;
        if (X86Base.IsSupported)
        {
            var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
            vendor = [(uint)ebx, (uint)edx, (uint)ecx];
            var (eax1, _, _, edx1) = X86Base.CpuId(1, 0);
            version = (uint)eax1;
            features = (uint)edx1;
            uint family = (version >> 8) & 0xF, model = (version >> 4) & 0xF, stepping = version & 0xF;
            if (family == 0xF) family += (version >> 20) & 0xFF;
            if (family >= 6) model += ((version >> 16) & 0xF) << 4;
            level = (ushort)family;
            revision = (ushort)((model << 8) | stepping);
        }
        ulong boot = 0;
        foreach (var line in ProcFiles.ReadText("/proc/stat").Split('\n'))
            if (line.StartsWith("btime ", StringComparison.Ordinal)) boot = ulong.Parse(line[6..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ulong hz = (ulong)Math.Max(1, (long)LinuxApi.SysConf(LinuxApi.SC_CLK_TCK));
        return new SystemFacts(arch, Environment.ProcessorCount, level, revision,
            numbers.ElementAtOrDefault(0), numbers.ElementAtOrDefault(1), numbers.ElementAtOrDefault(2), uname,
            vendor, version, features, boot, hz);
    }
}
