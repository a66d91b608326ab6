namespace OpenWer.Format.Writing;

/// <summary>Memory chosen for the dump could not be read and the dump type does not allow leaving it out.</summary>
public sealed class UnreadableMemoryException(MemoryRange range)
    : IOException($"memory at {range} could not be read from the process; the dump type does not include IgnoreInaccessibleMemory (0x20000), add it to write the dump with such ranges zero-filled")
{
    public MemoryRange Range { get; } = range;
}
