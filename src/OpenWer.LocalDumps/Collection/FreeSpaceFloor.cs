using OpenWer.Dumps.Output;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// [OpenWer] MinFreeSpaceMB: a dump that would leave less than this much space free for unprivileged users on the
/// dump folder's file system is not written, so a crash loop cannot fill a disk up to its last block. The space
/// counted is f_bavail (what users may still take; the root reserve is not theirs), against an upper estimate of
/// the dump's size. 0 turns the check off (a full disk then still fails cleanly with ENOSPC).
/// </summary>
public sealed record FreeSpaceFloor(long MinFreeBytes, long ExpectedDumpBytes)
{
    public const int DefaultMinFreeSpaceMB = 256;

    public static FreeSpaceFloor None { get; } = new(0, 0);

    public static FreeSpaceFloor Megabytes(int minFreeSpaceMB, long expectedDumpBytes) => new((long)minFreeSpaceMB << 20, expectedDumpBytes);

    /// <summary>Throws with the reason when the dump would leave less than the floor.</summary>
    internal void Check(OpenedFolder folder)
    {
        if (MinFreeBytes <= 0)
            return;
        long available = FolderCalls.AvailableBytes(folder.Handle, out int errno)
            ?? throw new DumpOutputException($"cannot tell the free space of {folder.Path}: {FolderCalls.Message(errno)}");
        if (available - ExpectedDumpBytes < MinFreeBytes)
            throw new DumpOutputException($"{folder.Path} has {Mb(available)} MiB free for users; the dump (up to {Mb(ExpectedDumpBytes)} MiB) " +
                $"would leave less than MinFreeSpaceMB={MinFreeBytes >> 20} MiB ([OpenWer] in the settings file)");
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
