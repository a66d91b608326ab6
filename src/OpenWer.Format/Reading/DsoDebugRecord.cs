using OpenWer.Format.Streams;

namespace OpenWer.Format.Reading;

/// <summary>A LINUX_DSO_DEBUG stream read back: r_debug, each link_map entry with its name, and the copied dynamic section.</summary>
public sealed record DsoDebugRecord(LinuxDsoDebug Debug, IReadOnlyList<(LinkMapEntry Entry, string Name)> Objects, byte[] DynamicSection);
