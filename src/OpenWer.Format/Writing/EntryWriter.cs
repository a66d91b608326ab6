namespace OpenWer.Format.Writing;

/// <summary>Writes one list entry into its fixed-size slot.</summary>
public delegate void EntryWriter<in T>(T entry, Span<byte> destination);
