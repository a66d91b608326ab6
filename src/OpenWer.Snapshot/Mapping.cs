namespace OpenWer.Snapshot;

/// <summary>One line of /proc/PID/maps.</summary>
public sealed record Mapping(ulong Start, ulong End, bool Read, bool Write, bool Execute, bool Shared, ulong Offset,
    string Device, ulong Inode, string Path) : IAddressRange
{
    /// <summary>For a file-backed mapping, the size of the file behind it when captured; pages past its end cannot be read (SIGBUS).</summary>
    public ulong? FileSize { get; init; }

    /// <summary>For a mapping read from a core file: the end of the bytes the core holds (a kernel core omits most file-backed pages).</summary>
    public ulong? HeldEnd { get; init; }

    /// <summary>The end of the part that can be read: the mapping, cut at the end of its file for a file-backed one, and at what a core holds.</summary>
    public ulong ReadableEnd => Math.Min(HeldEnd ?? End, FileSize is ulong size && Inode != 0
        ? Math.Min(End, Start + (size > Offset ? (size - Offset + 0xFFF) & ~0xFFFUL : 0))
        : End);

    public ulong Size => End - Start;
    /// <summary>Whether this maps the file at <paramref name="path"/> (also after it was deleted, when the kernel appends " (deleted)").</summary>
    public bool MapsFile(string path) => Path == path || (Path.Length == path.Length + 10 && Path.StartsWith(path, StringComparison.Ordinal) && Path.EndsWith(" (deleted)", StringComparison.Ordinal));
    public bool Contains(ulong address) => address >= Start && address < End;
    public bool IsFileBacked => Inode != 0 && Path.StartsWith('/');
    /// <summary>No file behind it: [heap], [stack], [anon:...], or nothing; shared anonymous memory (/dev/zero, SysV shm) and memfd mappings (the .NET runtime's double-mapped code and data) count as anonymous too, as in createdump.</summary>
    public bool IsAnonymous => Inode == 0 || Path.StartsWith("/memfd:", StringComparison.Ordinal)
        || Path.StartsWith("/dev/zero", StringComparison.Ordinal) || Path.StartsWith("/SYSV", StringComparison.Ordinal);
    /// <summary>Kernel-provided pages that process_vm_readv cannot read.</summary>
    public bool IsUnreadableSpecial => Path is "[vvar]" or "[vvar_vclock]" or "[vsyscall]";
    public string Permissions => $"{(Read ? 'r' : '-')}{(Write ? 'w' : '-')}{(Execute ? 'x' : '-')}{(Shared ? 's' : 'p')}";
}
