using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// A small ext4 file system of its own (an image loop-mounted), with the usual 5 % root reserve: disks can be
/// filled for real without touching the machine's. Unmounted (and its loop device freed) on dispose.
/// </summary>
public sealed class LoopFileSystem : IDisposable
{
    private readonly string _image;

    public string Mount { get; }

    public LoopFileSystem(string parent, int megabytes = 32)
    {
        _image = Path.Combine(parent, $"fs-{Guid.NewGuid():N}.img");
        Mount = Directory.CreateDirectory(Path.Combine(parent, $"mnt-{Guid.NewGuid():N}")).FullName;
        using (var f = File.Create(_image))
            f.SetLength((long)megabytes << 20);
        var r = Tool.Run("mkfs.ext4", ["-q", "-F", "-m", "5", _image]);
        Assert.True(r.ExitCode == 0, "mkfs.ext4: " + r.All);
        r = Tool.Run("mount", ["-o", "loop", _image, Mount]);
        Assert.True(r.ExitCode == 0, "mount: " + r.All);
        File.SetUnixFileMode(Mount, (UnixFileMode)0x1ED); // 0755 root
    }

    /// <summary>Blocks free in all (root reserve included) and free for users, in bytes (statfs f_bfree, f_bavail).</summary>
    public (long Free, long Available) Space()
    {
        var parts = Tool.Run("stat", ["-f", "-c", "%S %f %a", Mount]).Output.Split(' ', StringSplitOptions.TrimEntries);
        long block = long.Parse(parts[0], CultureInfo.InvariantCulture);
        return (block * long.Parse(parts[1], CultureInfo.InvariantCulture), block * long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        for (int i = 0; i < 10 && Tool.Run("umount", [Mount]).ExitCode != 0; i++)
            Thread.Sleep(200);
        try
        {
            Directory.Delete(Mount);
            File.Delete(_image);
        }
        catch (IOException)
        {
        }
    }
}
