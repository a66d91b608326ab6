using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;
using OpenWer.LocalDumps.Tests;

namespace OpenWer.Cli.Tests;

/// <summary>
/// `wer` run by an unprivileged user (made for each test, removed after it, failed or not): another user's process
/// is refused with exit 4 and why, a file or folder the user may not use is named, and nothing is left behind.
/// </summary>
public sealed class OtherUserTests : IDisposable
{
    private readonly TestUser _user = new();
    private readonly TempDir _dir = new();

    public OtherUserTests()
    {
        // The user may pass through the test's folder, and no further than each file or folder in it allows.
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1C9); // 0711
    }

    public void Dispose()
    {
        _user.Dispose();
        _dir.Dispose();
    }

    private string[] HomeFiles() => [.. Directory.GetFiles(_user.Home, "*", SearchOption.AllDirectories).Order()];

    private string[] HomeEntries() => [.. Directory.GetFileSystemEntries(_user.Home).Select(Path.GetFileName).Order()!];

    /// <summary>A process of the user's own, for the dumps it may take; it ends with the user.</summary>
    private int UsersOwnProcess()
    {
        var r = _user.Shell("sleep 600 >/dev/null 2>&1 & echo $!");
        int pid = int.Parse(r.Output.Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(_user.Uid.ToString(CultureInfo.InvariantCulture), Tool.Run("stat", ["-c", "%u", $"/proc/{pid}"]).Output.Trim());
        return pid;
    }

    /// <summary>A folder of root's that everyone may enter and read, and only root may write.</summary>
    private string RootsFolder(string name)
    {
        string folder = Directory.CreateDirectory(_dir.File(name)).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0x1ED); // 0755
        return folder;
    }

    [Fact]
    public void DumpOfRootsProcessIsDeniedAndSaysWhy()
    {
        using var target = new NativeTarget(threads: 3);
        var before = HomeEntries();
        var r = Wer.RunAs(_user, "dump", target.Pid.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(_user.Home, "root.dmp"));
        Wer.AssertFails(r, 4, $"the process belongs to uid 0 and we run as uid {_user.Uid}", "run as that user or as root");
        Assert.Equal(before, HomeEntries());
        target.AssertAlive();
    }

    [Fact]
    public void CollectOfRootsProcessIsDenied()
    {
        using var target = new NativeTarget(threads: 3);
        string settings = Path.Combine(_user.Home, "localdumps.ini");
        Assert.Equal(0, _user.Shell($"printf '[LocalDumps]\\nDumpFolder={_user.Home}/dumps\\n' > {settings}").ExitCode);
        var before = HomeFiles();
        var r = Wer.RunAs(_user, "localdumps", "collect", target.Pid.ToString(CultureInfo.InvariantCulture), "--settings", settings);
        Wer.AssertFails(r, 4, "wer localdumps:", "belongs to uid 0");
        // The dump folder may have been made (it is made before the capture); no file is in it.
        Assert.Equal(before, HomeFiles());
        target.AssertAlive();
    }

    [Fact]
    public void DumpIntoAFolderTheUserCannotWriteIsRefusedBeforeTheProcessIsStopped()
    {
        int pid = UsersOwnProcess();
        string folder = RootsFolder("roots");
        var r = Wer.RunAs(_user, "dump", pid.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(folder, "x.dmp"));
        Wer.AssertFails(r, 6, $"cannot write in {folder}", "choose a folder you can write");
        Wer.AssertNothingLeft(folder);

        // The positive control: the same user dumps its own process into its own folder.
        var own = Wer.RunAs(_user, "dump", pid.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(_user.Home, "own.dmp"));
        Assert.True(own.ExitCode == 0, own.All);
        Assert.True(File.Exists(Path.Combine(_user.Home, "own.dmp")));
    }

    [Fact]
    public void ConvertOfACoreTheUserMayNotReadIsDenied()
    {
        // Root's core, mode 0600, in a folder the user may read: it sees the file and may not open it.
        string folder = RootsFolder("cores");
        string core = Path.Combine(folder, "root.core");
        File.WriteAllBytes(core, [0x7F, (byte)'E', (byte)'L', (byte)'F']);
        File.SetUnixFileMode(core, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var before = HomeEntries();
        var r = Wer.RunAs(_user, "convert", core, "-o", Path.Combine(_user.Home, "x.dmp"));
        Wer.AssertFails(r, 4, $"cannot read {core}", "run as a user who may read it", "no dump was written");
        Assert.Equal(before, HomeEntries());
    }

    [Fact]
    public void SettingsTheUserCannotWriteAreNamed()
    {
        string folder = RootsFolder("etc");
        string settings = Path.Combine(folder, "localdumps.ini");
        var r = Wer.RunAs(_user, "localdumps", "set", "DumpCount", "3", "--settings", settings);
        Wer.AssertFails(r, 6, $"cannot write {settings}", "the machine-wide settings need root");
        Wer.AssertNothingLeft(folder);
    }

    [Fact]
    public void RunWithADumpFolderTheUserCannotWriteStillEndsAsTheProgram()
    {
        // The program's crash is the user's; the dump cannot be written, and wer says so and ends the same way.
        string folder = Path.Combine(RootsFolder("dumps"), "run");
        var r = Wer.RunAs(_user, "run", "--folder", folder, "--settings", Path.Combine(_user.Home, "none.ini"), "--", "/bin/sh", "-c", "kill -SEGV $$");
        Assert.Equal(128 + 11, r.ExitCode);
        Assert.Contains("took signal 11", r.Error);
        Assert.Contains("the dump could not be written", r.Error);
        Assert.False(Directory.Exists(folder));
    }
}
