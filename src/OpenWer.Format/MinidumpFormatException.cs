namespace OpenWer.Format;

/// <summary>A file that is not a well-formed minidump, with what was wrong and where.</summary>
public sealed class MinidumpFormatException(string message) : Exception(message);
