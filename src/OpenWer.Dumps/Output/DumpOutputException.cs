namespace OpenWer.Dumps.Output;

/// <summary>The dump file could not be written where asked; the message says what to do.</summary>
public sealed class DumpOutputException(string message, Exception? inner = null) : IOException(message, inner);
