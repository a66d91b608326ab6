namespace OpenWer.Dumps.Output;

/// <summary>Whether a write failed for want of space: .NET carries the errno in an IOException's HResult on Linux.</summary>
public static class DiskFull
{
    private const int ENOSPC = 28, EDQUOT = 122;

    public static bool Is(IOException e) => e.HResult is ENOSPC or EDQUOT;
}
