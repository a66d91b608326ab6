using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>
/// An unprivileged user made for one test (useradd, with a home folder) and removed afterwards with its
/// processes and files: the attacker, or the victim, of the crash handler's security tests.
/// </summary>
public sealed class TestUser : IDisposable
{
    public string Name { get; } = $"owt{Guid.NewGuid().ToString("N")[..10]}";
    public uint Uid { get; }
    public uint Gid { get; }
    public string Home { get; }

    public TestUser()
    {
        var r = Tool.Run("useradd", ["--create-home", "--shell", "/bin/sh", "--user-group", Name]);
        Assert.True(r.ExitCode == 0, "useradd failed: " + r.All);
        Uid = uint.Parse(Tool.Run("id", ["-u", Name]).Output.Trim(), CultureInfo.InvariantCulture);
        Gid = uint.Parse(Tool.Run("id", ["-g", Name]).Output.Trim(), CultureInfo.InvariantCulture);
        Home = Tool.Run("sh", ["-c", $"getent passwd {Name} | cut -d: -f6"]).Output.Trim();
    }

    /// <summary>Where the default settings put this user's dumps (%LOCALAPPDATA%\\CrashDumps: ~/.local/share/CrashDumps).</summary>
    public string DumpFolder => Path.Combine(Home, ".local/share/CrashDumps");

    /// <summary>The dumps in <see cref="DumpFolder"/>, none if it does not exist yet.</summary>
    public string[] Dumps() => Directory.Exists(DumpFolder) ? Directory.GetFiles(DumpFolder, "*.dmp") : [];

    /// <summary>The arguments of setpriv that run a program as this user, with only its own groups.</summary>
    public string[] As(string program, params string[] args) =>
        ["--reuid", Uid.ToString(CultureInfo.InvariantCulture), "--regid", Gid.ToString(CultureInfo.InvariantCulture), "--init-groups",
            "--reset-env", program, .. args];

    /// <summary>Runs a program as this user to its end.</summary>
    public Tool.Result Run(string program, params string[] args) => Tool.Run("setpriv", As(program, args), workingDirectory: Home);

    /// <summary>Runs a shell command line as this user to its end.</summary>
    public Tool.Result Shell(string script) => Run("/bin/sh", "-c", script);

    public void Dispose()
    {
        Tool.Run("pkill", ["-KILL", "-u", Name]);
        Thread.Sleep(50);
        Tool.Run("userdel", ["--remove", "--force", Name]);
    }
}
