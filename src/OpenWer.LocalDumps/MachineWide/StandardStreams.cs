namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The kernel starts a pipe handler with only stdin (the core) and fd 3 (the pidfd) open: descriptors 1 and 2 are
/// closed, so the handler's own error output (the runtime's report of a failure of ours) would be lost, or land in
/// whatever file next took the number. They are pointed at the handler's log, opened for atomic appends.
/// </summary>
internal static class StandardStreams
{
    public static void Attach()
    {
        if (HandlerNative.Fcntl(1, HandlerNative.F_GETFD) >= 0 && HandlerNative.Fcntl(2, HandlerNative.F_GETFD) >= 0)
            return;
        using var log = HandlerNative.Open(HandlerLog.FilePath, HandlerNative.O_WRONLY | HandlerNative.O_APPEND | HandlerNative.O_CREAT | HandlerNative.O_NOFOLLOW | HandlerNative.O_CLOEXEC, 0x180);
        if (log.IsInvalid)
            return;
        for (int fd = 1; fd <= 2; fd++)
            if (HandlerNative.Fcntl(fd, HandlerNative.F_GETFD) < 0)
                HandlerNative.Dup2(log, fd);
    }
}
