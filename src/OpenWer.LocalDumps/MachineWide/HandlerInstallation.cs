using OpenWer.Dumps.Output;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// Where the kernel finds the handler it runs as root. Root runs whatever file is at that path, with the libraries
/// it loads: neither the file nor any folder above it may be writable by anyone but root. `enable` copies the
/// running binary (/proc/self/exe: the very file root ran, not whatever is now at its path) into a root-owned
/// folder, or registers a given path only if it passes the same check.
/// </summary>
public static class HandlerInstallation
{
    public const string InstalledPath = "/usr/libexec/openwer/wer";

    /// <summary>Installs this binary at <paramref name="target"/> (atomically) and returns the path to register.</summary>
    public static string InstallSelf(string target = InstalledPath)
    {
        string folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder, (UnixFileMode)0x1ED); // 0755
        File.SetUnixFileMode(folder, (UnixFileMode)0x1ED);
        if (WhyUntrusted(folder) is { } folderProblem)
            throw new InvalidOperationException($"cannot install the crash handler: {folderProblem}");
        using (var source = File.OpenRead("/proc/self/exe"))
            AtomicFile.Write(target, (UnixFileMode)0x1ED, source.CopyTo, flushToDisk: true); // 0755
        return target;
    }

    /// <summary>Null if root may run <paramref name="path"/>: it and every folder above it owned by root and writable by no one else.</summary>
    public static string? WhyUntrusted(string path)
    {
        string full = Path.GetFullPath(path);
        for (string? p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            var info = new FileInfo(p);
            if (!info.Exists && !Directory.Exists(p))
                return $"{p} does not exist";
            if (info.LinkTarget is not null)
                return $"{p} is a symbolic link; give the real path";
            uint owner = Settings.FileOwner.Of(p);
            var mode = File.GetUnixFileMode(p);
            if (owner != 0)
                return $"{p} belongs to uid {owner}, not root: that user could replace what root runs for every crash";
            if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                return $"{p} is writable by others than root (mode {Convert.ToString((int)mode, 8)}): they could replace what root runs for every crash";
        }
        return null;
    }
}
