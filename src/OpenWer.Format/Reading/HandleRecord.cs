using OpenWer.Format.Streams;

namespace OpenWer.Format.Reading;

/// <summary>A handle descriptor with its type and object names.</summary>
public sealed record HandleRecord(HandleDescriptor Descriptor, string? TypeName, string? ObjectName);
