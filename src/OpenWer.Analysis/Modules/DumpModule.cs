namespace OpenWer.Analysis.Modules;

/// <summary>A module of the dump's ModuleList: where it was loaded, from which path, with which GNU build-id.</summary>
public sealed record DumpModule(int Index, string Path, ulong BaseAddress, ulong Size, byte[]? BuildId)
{
    public ulong EndAddress => BaseAddress + Size;

    public string FileName => System.IO.Path.GetFileName(Path) is { Length: > 0 } name ? name : Path;

    public bool Contains(ulong address) => address - BaseAddress < Size;

    /// <summary>The build-id in hex, as Breakpad and rust-minidump give a Linux module's code id.</summary>
    public string? CodeId => BuildId is null ? null : Convert.ToHexStringLower(BuildId);

    /// <summary>
    /// Breakpad's debug id: the first 16 bytes of the build-id (zero-padded) read as a GUID, whose first three fields
    /// are little-endian, in upper-case hex, followed by the age 0.
    /// </summary>
    public string? DebugId
    {
        get
        {
            if (BuildId is null)
                return null;
            var g = new byte[16];
            BuildId.AsSpan(0, Math.Min(16, BuildId.Length)).CopyTo(g);
            byte[] guid = [g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], .. g[8..]];
            return Convert.ToHexString(guid) + "0";
        }
    }
}
