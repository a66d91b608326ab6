using OpenWer.Dumps.Output;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.Collection;
using OpenWer.LocalDumps.MachineWide;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// What the thread writing a user's dump may do, read from the kernel (/proc/thread-self/status) while it writes:
/// the user's ids and groups, no effective capability, the same on a thread it starts; root again afterwards, and
/// the process's other threads never touched. Runs in the (root) test process, as the crash handler does.
/// </summary>
[Collection("core_pattern")]
public sealed class UserRightsWhileWritingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Status(string field, string status) =>
        status.Split('\n').First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim();

    [Fact]
    public void TheWritingThreadAndItsThreadsHaveOnlyTheUsersRights()
    {
        using var user = new TestUser();
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1ED);
        var crashing = UserIdentity.Lookup(user.Uid, user.Gid)!;
        // A missing folder is made with the user's rights only: not in root's 0755 folder...
        var file = SettingsFile.Parse($"[OpenWer]\nMinFreeSpaceMB=0\n[LocalDumps]\nDumpFolder={_dir.Path}/%USERNAME%\n");
        var e = Assert.Throws<DumpOutputException>(() =>
            UserDumpCollection.Collect(file, LocalDumpsSettings.Resolve(file, "app", crashing), crashing, "app", 4242, 1 << 20, s => s.Write("x"u8)));
        Assert.Contains("Permission denied", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
        // ... which, as a shared folder, gets the user's own subfolder from root.
        file = SettingsFile.Parse($"[OpenWer]\nMinFreeSpaceMB=0\n[LocalDumps]\nDumpFolder={_dir.Path}\n");
        var settings = LocalDumpsSettings.Resolve(file, "app", crashing);
        string writer = "", started = "", other = "";
        var bystander = new Thread(() => Thread.Sleep(1500)) { IsBackground = true };
        bystander.Start();
        var result = UserDumpCollection.Collect(file, settings, crashing, "app", 4242, 1 << 20, stream =>
        {
            writer = File.ReadAllText("/proc/thread-self/status");
            var thread = new Thread(() => started = File.ReadAllText("/proc/thread-self/status"));
            thread.Start();
            thread.Join();
            other = File.ReadAllText($"/proc/self/task/{Environment.ProcessId}/status");
            stream.Write("dump"u8);
        });
        string after = File.ReadAllText("/proc/thread-self/status");

        foreach (var status in new[] { writer, started })
        {
            Assert.Equal("0000000000000000", Status("CapEff", status));
            Assert.NotEqual("0000000000000000", Status("CapPrm", status)); // kept, to come back
            Assert.EndsWith($"\t{user.Uid}", Status("Uid", status)); // real, effective, saved, fs: fs is the user's
            Assert.EndsWith($"\t{user.Gid}", Status("Gid", status));
            Assert.Equal(user.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture), Status("Groups", status));
        }
        Assert.StartsWith("0\t0\t0", Status("Uid", writer)); // the process stays root
        Assert.NotEqual("0000000000000000", Status("CapEff", other)); // the main thread kept root's rights
        Assert.EndsWith("\t0", Status("Uid", other));
        Assert.NotEqual("0000000000000000", Status("CapEff", after));
        Assert.Equal(Status("CapPrm", after), Status("CapEff", after));
        Assert.Equal("0\t0\t0\t0", Status("Uid", after));

        string dump = Path.Combine(_dir.Path, user.Name, "app.4242.dmp");
        Assert.Equal(dump, result.DumpPath);
        Assert.Equal($"{user.Uid} 600", Tool.Run("stat", ["-c", "%u %a", dump]).Output.Trim());
        Assert.Equal($"{user.Uid} 700", Tool.Run("stat", ["-c", "%u %a", Path.GetDirectoryName(dump)!]).Output.Trim());
    }

    [Fact]
    public void AUserRunsTheirProgramUnderWerRunAndGetsTheDumpInTheirOwnFolder()
    {
        // While another test's handler is in core_pattern, it would dump these crashes too: keep it out.
        using var corePattern = CorePatternLock.Take();
        using var user = new TestUser();
        string wer = Path.Combine(RepoPaths.Root, "artifacts/wer/wer");
        string folder = Path.Combine(user.Home, ".local/share/CrashDumps");
        var r = user.Run(wer, "run", "--settings", "/nonexistent.ini", "--", Crasher.Path_, "segv");
        Assert.Contains("dump written to " + folder, r.All);
        string dump = Assert.Single(Directory.GetFiles(folder, "*.dmp"));
        Assert.Equal($"{user.Uid} 600", Tool.Run("stat", ["-c", "%u %a", dump]).Output.Trim());
        Assert.Equal($"{user.Uid} 700", Tool.Run("stat", ["-c", "%u %a", folder]).Output.Trim());

        // The user's own flock on the folder costs the user at most the bounded wait, and never the dump.
        using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("setpriv", [.. user.As("flock", "-x", folder, "sleep", "60")]))!;
        Thread.Sleep(300);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            r = user.Run(wer, "run", "--settings", "/nonexistent.ini", "--", Crasher.Path_, "segv");
            clock.Stop();
            Assert.Contains("dump written to " + folder, r.All);
            Assert.Equal(2, Directory.GetFiles(folder, "*.dmp").Length);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
        }
    }
}
