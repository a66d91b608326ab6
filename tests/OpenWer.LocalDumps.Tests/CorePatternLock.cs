using System.Runtime.InteropServices;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// kernel.core_pattern is one per machine: test runs that change it (this one, another checkout's) take this
/// lock first, so none sees another's pattern. Re-entrant within a process (a fixture, then KernelCore inside it).
/// </summary>
public sealed partial class CorePatternLock : IDisposable
{
    private const string Path = "/run/lock/openwer-tests-core-pattern.lock";
    private static readonly Lock Gate = new();
    private static int s_depth;
    private static int s_fd = -1;

    private CorePatternLock()
    {
    }

    public static CorePatternLock Take()
    {
        lock (Gate)
        {
            if (s_depth++ == 0)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                s_fd = Open(Path, 0x42 | 0x80000, 0x180); // O_RDWR | O_CREAT | O_CLOEXEC
                Assert.True(s_fd >= 0, $"cannot open {Path}");
                Assert.True(Flock(s_fd, 2) == 0, $"cannot lock {Path}"); // LOCK_EX, waiting
            }
        }
        return new CorePatternLock();
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (--s_depth == 0)
            {
                Close(s_fd);
                s_fd = -1;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock")]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
