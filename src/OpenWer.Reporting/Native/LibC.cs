using System.Runtime.InteropServices;

namespace OpenWer.Reporting.Native;

/// <summary>Every libc call of the Reporting layer, declared here only.</summary>
internal static partial class LibC
{
    public const int PR_SET_PTRACER = 0x59616d61;
    public const nint PR_SET_PTRACER_ANY = -1;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();
}
