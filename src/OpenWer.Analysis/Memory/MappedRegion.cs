namespace OpenWer.Analysis.Memory;

/// <summary>A mapping of the process (a line of /proc/PID/maps, or a MemoryInfoList entry).</summary>
public sealed record MappedRegion(ulong Start, ulong End, bool Read, bool Write, bool Execute, string Path)
{
    public bool Contains(ulong address) => address >= Start && address < End;

    public bool IsAccessible => Read || Write || Execute;
}
