using System.Diagnostics;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.Format.Reading;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// The dump folder under attack, through the real kernel.core_pattern and the published handler, with real
/// unprivileged users: disk exhaustion past the root reserve, the free-space floor, names the handler could not
/// store or rotate, shared and squatted folders, and locks held to park the handlers.
/// </summary>
[Collection("core_pattern")]
public sealed class DumpFolderSecurityTests(MachineWideFixture machine) : IClassFixture<MachineWideFixture>, IDisposable
{
    private readonly string _base = Directory.CreateDirectory(Path.Combine(machine.Dir.Path, Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => machine.Reset();

    private static void Chown(string path, TestUser user) => Assert.Equal(0, Tool.Run("chown", [$"{user.Uid}:{user.Gid}", path]).ExitCode);

    private static string Mode(string path) => Tool.Run("stat", ["-c", "%u %a", path]).Output.Trim();

    /// <summary>A copy of the crasher under another name, runnable by everyone.</summary>
    private string CrasherNamed(string name)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_base, "bin-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        string path = Path.Combine(dir, name);
        File.Copy(Crasher.Path_, path);
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
        return path;
    }

    /// <summary>Crashes a program as the user; the kernel holds the crashed process until the handler ends, so this times the handler too.</summary>
    private static TimeSpan CrashAs(TestUser user, string? program = null)
    {
        var clock = Stopwatch.StartNew();
        var r = user.Run(program ?? Crasher.Path_, "segv");
        clock.Stop();
        Assert.True(r.ExitCode == 139, $"the crasher did not die of SIGSEGV: {r.ExitCode} {r.All}");
        Thread.Sleep(100);
        return clock.Elapsed;
    }

    private static void AssertCrashDump(string dump)
    {
        using var reader = MinidumpReader.Open(dump);
        Assert.Equal(11u, reader.ReadException()!.Value.ExceptionCode);
    }

    private static string[] Dumps(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder, "*.dmp") : [];

    private static string[] Temporaries(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder, "*.tmp") : [];

    [Fact]
    public void AFileSystemFullForTheUserGetsNoDumpAndTheRootReserveIsUntouched()
    {
        using var user = new TestUser();
        using var fs = new LoopFileSystem(_base);
        string folder = Directory.CreateDirectory(Path.Combine(fs.Mount, "dumps")).FullName;
        Chown(folder, user);
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\nMinFreeSpaceMB=0\n[LocalDumps]\nDumpFolder={folder}\n");
        machine.Enable();
        // The user takes all the space users may take; what is left is root's reserve.
        user.Shell($"dd if=/dev/zero of={folder}/fill bs=64k 2>/dev/null; dd if=/dev/zero of={folder}/fill2 bs=1k 2>/dev/null; sync");
        var before = fs.Space();
        Assert.True(before.Available < 64 << 10, $"the user could not fill the file system: {before}");
        Assert.True(before.Free > 1 << 20, $"no root reserve left: {before}");

        long log = MachineWideFixture.LogLength;
        CrashAs(user);
        Assert.Empty(Dumps(folder));
        Assert.Empty(Temporaries(folder));
        // Blocks of a removed file are given back when the journal commits: wait for that, then nothing may be missing.
        Tool.Run("sync", []);
        for (int i = 0; i < 50 && fs.Space().Free != before.Free; i++)
            Thread.Sleep(200);
        Assert.Equal(before.Free, fs.Space().Free);
        Assert.Contains("is full (no space or quota left for the user); the partial dump was removed", machine.LogSince(log));

        File.Delete(Path.Combine(folder, "fill"));
        log = MachineWideFixture.LogLength;
        CrashAs(user);
        AssertCrashDump(Assert.Single(Dumps(folder)));
        Assert.Contains("dump written to " + folder, machine.LogSince(log));
    }

    [Fact]
    public void ADumpThatWouldLeaveLessThanTheFloorIsRefused()
    {
        using var user = new TestUser();
        using var fs = new LoopFileSystem(_base);
        string folder = Directory.CreateDirectory(Path.Combine(fs.Mount, "dumps")).FullName;
        Chown(folder, user);
        long available = fs.Space().Available >> 20;
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\nMinFreeSpaceMB={available}\n[LocalDumps]\nDumpFolder={folder}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs(user);
        Assert.Empty(Dumps(folder));
        Assert.Empty(Temporaries(folder));
        Assert.Contains($"would leave less than MinFreeSpaceMB={available} MiB", machine.LogSince(log));

        machine.Settings($"[OpenWer]\nCrashRateLimit=0\nMinFreeSpaceMB=1\n[LocalDumps]\nDumpFolder={folder}\n");
        CrashAs(user);
        AssertCrashDump(Assert.Single(Dumps(folder)));
    }

    [Fact]
    public void DumpsOfAnExecutableNamedWithALeadingDotAreRotated()
    {
        using var user = new TestUser();
        string folder = Path.Combine(user.Home, "dumps");
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={folder}\nDumpCount=2\n");
        machine.Enable();
        string hidden = CrasherNamed(".hidden-crasher");
        CrashAs(user, hidden);
        string first = Assert.Single(Dumps(folder));
        Thread.Sleep(20);
        CrashAs(user, hidden);
        Thread.Sleep(20);
        CrashAs(user, hidden);
        var dumps = Dumps(folder);
        Assert.Equal(2, dumps.Length);
        Assert.DoesNotContain(first, dumps);
        Assert.All(dumps, d => Assert.StartsWith(".hidden-crasher.", Path.GetFileName(d)));
        Assert.Equal($"{user.Uid} 700", Mode(folder)); // created by the handler as the user
    }

    [Fact]
    public void ALongExecutableNameStillGetsADump()
    {
        using var user = new TestUser();
        string folder = Path.Combine(user.Home, "dumps");
        machine.Settings($"[LocalDumps]\nDumpFolder={folder}\n");
        machine.Enable();
        string name = new('x', 250);
        CrashAs(user, CrasherNamed(name));
        string dump = Assert.Single(Dumps(folder));
        string file = Path.GetFileName(dump);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(file) <= 255, file);
        Assert.Matches($"^{new string('x', 200)}x*\\.\\d+\\.dmp$", file);
        AssertCrashDump(dump);
        Assert.Empty(Temporaries(folder));
    }

    [Fact]
    public void ASharedRootFolderGivesEachUserASubfolderOfTheirOwn()
    {
        using var alice = new TestUser();
        using var bob = new TestUser();
        string shared = Directory.CreateDirectory(Path.Combine(_base, "shared")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0x1ED); // 0755 root: only root makes the subfolders
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={shared}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs(alice);
        CrashAs(bob);
        Assert.Empty(Directory.GetFiles(shared));
        foreach (var user in new[] { alice, bob })
        {
            string own = Path.Combine(shared, user.Name);
            Assert.Equal($"{user.Uid} 700", Mode(own));
            string dump = Assert.Single(Dumps(own));
            Assert.Equal($"{user.Uid} 600", Mode(dump));
            AssertCrashDump(dump);
            Assert.Contains($"dump written to {dump}", machine.LogSince(log));
        }
        Assert.NotEqual(0, alice.Run("/bin/ls", Path.Combine(shared, bob.Name)).ExitCode);
        Assert.NotEqual(0, bob.Run("/bin/ls", Path.Combine(shared, alice.Name)).ExitCode);
        Assert.Equal(0, alice.Run("/bin/ls", Path.Combine(shared, alice.Name)).ExitCode);
    }

    [Fact]
    public void AFolderOfAnotherUserIsRefused()
    {
        using var owner = new TestUser();
        using var other = new TestUser();
        string folder = Directory.CreateDirectory(Path.Combine(_base, "owners")).FullName;
        Chown(folder, owner);
        File.SetUnixFileMode(folder, (UnixFileMode)0x1FF); // 0777: the other user could write there, the handler still refuses
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={folder}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs(other);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
        Assert.Contains($"belongs to user {owner.Name} (uid {owner.Uid}), not to {other.Name}", machine.LogSince(log));
        Assert.Contains("a folder shared by several users must be owned by root", machine.LogSince(log));
        CrashAs(owner);
        AssertCrashDump(Assert.Single(Dumps(folder)));
    }

    [Fact]
    public void ASquattedFolderOrSubfolderIsRefused()
    {
        using var attacker = new TestUser();
        using var victim = new TestUser();
        string sticky = Directory.CreateDirectory(Path.Combine(_base, "sticky")).FullName;
        File.SetUnixFileMode(sticky, (UnixFileMode)0x3FF); // 1777 root, like /tmp
        string loot = Path.Combine(attacker.Home, "loot");
        Assert.Equal(0, attacker.Shell($"mkdir -m 777 {loot}").ExitCode);

        // 1. A DumpFolder that does not exist yet, taken first by the attacker.
        string missing = Path.Combine(sticky, "dumps");
        Assert.Equal(0, attacker.Shell($"mkdir -m 777 {missing}").ExitCode);
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={missing}\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs(victim);
        Assert.Empty(Directory.GetFileSystemEntries(missing));
        Assert.Contains($"{missing} belongs to user {attacker.Name}", machine.LogSince(log));

        // 2. The shared folder itself: the victim's subfolder made in advance by the attacker, as a folder and as a symlink.
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder={sticky}\n");
        string squat = Path.Combine(sticky, victim.Name);
        Assert.Equal(0, attacker.Shell($"mkdir -m 777 {squat}").ExitCode);
        log = MachineWideFixture.LogLength;
        CrashAs(victim);
        Assert.Empty(Directory.GetFileSystemEntries(squat));
        Assert.Contains($"{squat}, the subfolder of the shared folder {sticky} for {victim.Name}'s dumps, is owned by user {attacker.Name}", machine.LogSince(log));
        Assert.Equal(0, attacker.Shell($"rmdir {squat} && ln -s {loot} {squat}").ExitCode);
        log = MachineWideFixture.LogLength;
        CrashAs(victim);
        Assert.Empty(Directory.GetFileSystemEntries(loot));
        Assert.Contains("is a symbolic link; refusing it", machine.LogSince(log));

        // Once the squat is gone, the victim's next crash is dumped where it belongs.
        File.Delete(squat);
        CrashAs(victim);
        string own = Path.Combine(sticky, victim.Name);
        Assert.Equal($"{victim.Uid} 700", Mode(own));
        AssertCrashDump(Assert.Single(Dumps(own)));
        // And the attacker's own crash lands in the attacker's own subfolder only.
        CrashAs(attacker);
        AssertCrashDump(Assert.Single(Dumps(Path.Combine(sticky, attacker.Name))));
    }

    [Fact]
    public void ARootFolderWritableByAllButNotStickyIsRefused()
    {
        using var user = new TestUser();
        string open = Directory.CreateDirectory(Path.Combine(_base, "open")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF); // 0777 root, no sticky bit
        machine.Settings($"[LocalDumps]\nDumpFolder={open}/dumps\n");
        machine.Enable();
        long log = MachineWideFixture.LogLength;
        CrashAs(user);
        Assert.Empty(Directory.GetFileSystemEntries(open));
        Assert.Contains("is root's but writable by others and not sticky", machine.LogSince(log));
    }

    [Fact]
    public void FlocksHeldByAUserDelayNeitherTheirCrashesNorOthers()
    {
        using var attacker = new TestUser();
        using var victim = new TestUser();
        string theirs = Path.Combine(attacker.Home, "dumps");
        machine.Settings($"[OpenWer]\nCrashRateLimit=0\n[LocalDumps]\nDumpFolder=%USERPROFILE%/dumps\n");
        machine.Enable();
        var baseline = CrashAs(attacker);
        CrashAs(victim);
        // Hold every lock the attacker can: their folder, the old lock file's name, their dumps, their home.
        string locks = string.Join(" ", new[] { theirs, $"{theirs}/.openwer.lock", Dumps(theirs)[0], attacker.Home }
            .Select(f => $"flock -x {f} sleep 120 &"));
        using var holder = Process.Start(new ProcessStartInfo("setpriv", [.. attacker.As("/bin/sh", "-c", $"touch {theirs}/.openwer.lock; {locks} wait")]))!;
        Thread.Sleep(500);
        try
        {
            Assert.Equal(1, Tool.Run("flock", ["-n", "-x", $"{theirs}/.openwer.lock", "true"]).ExitCode); // held indeed
            Assert.Equal(1, Tool.Run("flock", ["-n", "-x", theirs, "true"]).ExitCode);
            long log = MachineWideFixture.LogLength;
            var attackers = CrashAs(attacker);
            var victims = CrashAs(victim);
            Assert.True(attackers < baseline + TimeSpan.FromSeconds(1), $"the attacker's crash took {attackers} (without locks {baseline})");
            Assert.True(victims < baseline + TimeSpan.FromSeconds(1), $"the victim's crash took {victims} (without locks {baseline})");
            Assert.Equal(2, Dumps(theirs).Length);
            Assert.Equal(2, Dumps(Path.Combine(victim.Home, "dumps")).Length);
            Assert.DoesNotContain("not rotated", machine.LogSince(log));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void AnOldDumpThatCannotBeRemovedIsAWarningNotALostDump()
    {
        using var user = new TestUser();
        using var fs = new LoopFileSystem(_base);
        string folder = Directory.CreateDirectory(Path.Combine(fs.Mount, "dumps")).FullName;
        Chown(folder, user);
        string stuck = Path.Combine(folder, "old.1.dmp");
        File.WriteAllText(stuck, "old");
        File.SetLastWriteTimeUtc(stuck, DateTime.UtcNow.AddDays(-1));
        Assert.Equal(0, Tool.Run("chattr", ["+i", stuck]).ExitCode);
        try
        {
            machine.Settings($"[OpenWer]\nMinFreeSpaceMB=1\n[LocalDumps]\nDumpFolder={folder}\nDumpCount=1\n");
            machine.Enable();
            long log = MachineWideFixture.LogLength;
            CrashAs(user);
            string text = machine.LogSince(log);
            string dump = Assert.Single(Dumps(folder), d => d != stuck);
            AssertCrashDump(dump);
            Assert.Contains($"dump written to {dump}", text);
            Assert.Contains($"could not remove the old dump {stuck} to keep DumpCount 1", text);
            Assert.DoesNotContain("no dump", text);
        }
        finally
        {
            Tool.Run("chattr", ["-i", stuck]);
        }
    }
}
