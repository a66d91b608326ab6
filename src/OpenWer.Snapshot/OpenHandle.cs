namespace OpenWer.Snapshot;

/// <summary>An open file descriptor and what it refers to (readlink of /proc/PID/fd/N).</summary>
public sealed record OpenHandle(int Descriptor, string TypeName, string Target);
