using System.Globalization;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// tests/fixtures/managed/ManagedCrash run under `wer run`, once as a heap dump and once as a mini dump: a .NET process
/// that dies of an unhandled exception three calls deep with <see cref="Widgets"/> objects of its own class alive.
/// </summary>
public sealed class ManagedCrashDumps : IDisposable
{
    /// <summary>The test classes that read these dumps share one set of them.</summary>
    public const string Collection = "managed crash dumps";

    public const int Widgets = 1234;

    private readonly TempDir _dir = new();

    public string HeapDump { get; }
    public string MiniDump { get; }
    public string FullDump { get; }
    /// <summary>What the runtime printed of the unhandled exception (stderr of the heap-dump run).</summary>
    public string RuntimeReport { get; }
    /// <summary>The runtime folder the fixture ran on: its libmscordaccore.so is the DAC.</summary>
    public string RuntimeFolder { get; }

    public ManagedCrashDumps()
    {
        string dll = ManagedFixture.BuiltDll("ManagedCrash");
        (HeapDump, RuntimeReport) = Crash(dll, "heap");
        (MiniDump, _) = Crash(dll, "mini");
        (FullDump, _) = Crash(dll, "full");
        var dotnet = Tool.Run("dotnet", ["--list-runtimes"]);
        var line = dotnet.Output.Split('\n').First(l => l.StartsWith("Microsoft.NETCore.App ", StringComparison.Ordinal));
        // "Microsoft.NETCore.App 10.0.12 [/usr/share/dotnet/shared/Microsoft.NETCore.App]"
        string[] parts = line.Split(' ', 3);
        RuntimeFolder = Path.Combine(parts[2].Trim().Trim('[', ']'), parts[1]);
    }

    private (string Dump, string Stderr) Crash(string dll, string type)
    {
        string folder = Path.Combine(_dir.Path, type);
        Directory.CreateDirectory(folder);
        var r = Tool.Run(CrashFixture.Wer, ["run", "--type", type, "--folder", folder, "--settings", _dir.File("no-settings.ini"), "--",
            "dotnet", dll, "--widgets", Widgets.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(2));
        Assert.Contains("OPENWER-MANAGED", r.Error);
        string dump = Assert.Single(Directory.GetFiles(folder, "*.dmp"));
        return (dump, r.Error);
    }

    public void Dispose() => _dir.Dispose();
}
