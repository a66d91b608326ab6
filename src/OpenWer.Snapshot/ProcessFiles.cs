namespace OpenWer.Snapshot;

/// <summary>Raw /proc and /etc files, kept verbatim for the Linux streams readers expect (Breakpad's extensions).</summary>
public sealed record ProcessFiles(byte[] Status, byte[] CommandLine, byte[] Environment, byte[] Auxv, byte[] Maps, byte[] CpuInfo, byte[] LsbRelease);
