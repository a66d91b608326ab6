namespace OpenWer.Reporting.Win32;

/// <summary>The HRESULTs the WER functions return, with werapi.h's values.</summary>
public static class HResult
{
    public const int S_OK = 0;
    public const int E_INVALIDARG = unchecked((int)0x80070057);
    public const int E_HANDLE = unchecked((int)0x80070006);
    public const int E_OUTOFMEMORY = unchecked((int)0x8007000E);
    public const int E_FAIL = unchecked((int)0x80004005);
    /// <summary>HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND).</summary>
    public const int FileNotFound = unchecked((int)0x80070002);
    /// <summary>HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED).</summary>
    public const int AccessDenied = unchecked((int)0x80070005);
    /// <summary>WER_E_LENGTH_EXCEEDED = HRESULT_FROM_WIN32(ERROR_PARAMETER_QUOTA_EXCEEDED).</summary>
    public const int WER_E_LENGTH_EXCEEDED = unchecked((int)0x80070503);
    public const int WER_E_INVALID_STATE = unchecked((int)0x80040000 | 0x1404);
    public const int WER_E_NOT_FOUND = unchecked((int)0x80040000 | 0x1403);
}
