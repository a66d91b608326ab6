using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// dotnet-dump (SOS), the runtime team's own dump analyzer, installed from NuGet as a tool at test time. It reads ELF
/// cores only on Linux ("Analyzing Windows or MacOS dumps not supported"), so a minidump is given to it as the core
/// `wer convert --to core` makes of it.
/// </summary>
public static class DotNetDump
{
    public const string Version = "10.0.750501";

    private static readonly Lazy<string> Tool_ = new(Install);

    /// <summary>Runs SOS commands on a core, the DAC taken from <paramref name="runtimeFolder"/>; returns what they printed.</summary>
    public static string Analyze(string core, string runtimeFolder, params string[] commands)
    {
        string[] args = ["analyze", core, "-c", $"setclrpath {runtimeFolder}", .. commands.SelectMany(c => new[] { "-c", c }), "-c", "exit"];
        var r = Tool.Run(Tool_.Value, args, TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0, "dotnet-dump failed: " + r.All);
        return r.Output;
    }

    private static string Install()
    {
        string folder = Path.Combine(Path.GetTempPath(), "openwer-tools", "dotnet-dump-" + Version);
        string exe = Path.Combine(folder, "dotnet-dump");
        if (File.Exists(exe))
            return exe;
        var r = Tool.Run("dotnet", ["tool", "install", "--tool-path", folder, "dotnet-dump", "--version", Version], TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0 && File.Exists(exe), "installing dotnet-dump failed: " + r.All);
        return exe;
    }
}
