using System.Runtime.InteropServices;

namespace OpenWer.LocalDumps.Native;

/// <summary>The LocalDumps layer's libc calls to the system log (they return nothing to check).</summary>
internal static unsafe partial class LibC
{
    /// <summary>openlog keeps the ident pointer for later syslog calls: it must point at memory that stays (a u8 literal).</summary>
    [LibraryImport("libc", EntryPoint = "openlog")]
    public static partial void OpenLog(byte* ident, int option, int facility);

    // syslog is variadic; its one argument here is a pointer, passed alike in the variadic and fixed ABIs.
    [LibraryImport("libc", EntryPoint = "syslog", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void Syslog(int priority, string format, string message);
}
