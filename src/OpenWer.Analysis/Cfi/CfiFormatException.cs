namespace OpenWer.Analysis.Cfi;

/// <summary>Call-frame information that cannot be read: the frame is then unwound another way.</summary>
public sealed class CfiFormatException(string message) : Exception(message);
