namespace OpenWer.Reporting.Api;

/// <summary>A string longer than WER allows for its field (WER_E_LENGTH_EXCEEDED in the Win32 API).</summary>
public sealed class WerLengthExceededException(string paramName, string message) : ArgumentOutOfRangeException(paramName, message);
