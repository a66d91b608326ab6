namespace OpenWer.Capture.Snapshot;

/// <summary>One line of /proc/PID/maps.</summary>
public sealed record Mapping(ulong Start, ulong End, bool Read, bool Write, bool Execute, bool Shared, ulong Offset,
    string Device, ulong Inode, string Path)
{
    public ulong Size => End - Start;
    public bool Contains(ulong address) => address >= Start && address < End;
    public bool IsFileBacked => Inode != 0 && Path.StartsWith('/');
    /// <summary>No file behind it: [heap], [stack], [anon:...], or nothing; memfd mappings (the .NET runtime's double-mapped code and data) count as anonymous too, as in createdump.</summary>
    public bool IsAnonymous => Inode == 0 || Path.StartsWith("/memfd:", StringComparison.Ordinal);
    /// <summary>Kernel-provided pages that process_vm_readv cannot read.</summary>
    public bool IsUnreadableSpecial => Path is "[vvar]" or "[vvar_vclock]" or "[vsyscall]";
    public string Permissions => $"{(Read ? 'r' : '-')}{(Write ? 'w' : '-')}{(Execute ? 'x' : '-')}{(Shared ? 's' : 'p')}";
}
