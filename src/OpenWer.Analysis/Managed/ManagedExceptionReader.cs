using Microsoft.Diagnostics.Runtime;

namespace OpenWer.Analysis.Managed;

/// <summary>A ClrMD exception object as ours, with its chain of inner exceptions (bounded: a cycle is possible in a corrupt heap).</summary>
public static class ManagedExceptionReader
{
    public const int MaxInnerDepth = 16;

    public static ManagedException? Read(ClrException? exception, int depth = 0)
    {
        if (exception is null || depth > MaxInnerDepth)
            return null;
        return new ManagedException(exception.Type?.Name ?? "?", exception.Message, exception.HResult, exception.Address,
            ManagedFrameReader.Read(exception.StackTrace, keepUnnamed: true, out _), Read(exception.Inner, depth + 1));
    }
}
