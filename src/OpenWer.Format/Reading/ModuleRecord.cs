using OpenWer.Format.Streams;

namespace OpenWer.Format.Reading;

/// <summary>A module entry with its name and, for a BpEL CodeView record, its GNU build-id.</summary>
public sealed record ModuleRecord(MinidumpModule Module, string Name, byte[]? BuildId);
