using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Cli.Tests;

/// <summary>A real core file, gdb's gcore of the native fixture, made once for a test class (the fixture then ends).</summary>
public sealed class GcoreCore : IDisposable
{
    private readonly TempDir _dir = new();

    public string Path { get; }

    public GcoreCore()
    {
        using var target = new NativeTarget(threads: 3);
        string prefix = _dir.File("target.core");
        var r = Tool.Run(Tool.Require("gcore"), ["-o", prefix, target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(2));
        Path = $"{prefix}.{target.Pid}";
        Assert.True(r.ExitCode == 0 && File.Exists(Path), "gcore failed: " + r.All);
    }

    /// <summary>The core's first <paramref name="length"/> bytes, as a file in <paramref name="folder"/>: a core cut short.</summary>
    public string CutTo(long length, string folder)
    {
        string cut = System.IO.Path.Combine(folder, $"cut-{length}.core");
        using var from = File.OpenRead(Path);
        using var to = File.Create(cut);
        var buffer = new byte[1 << 20];
        for (long left = length; left > 0;)
        {
            int n = from.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            Assert.True(n > 0, $"the core is shorter than {length} bytes");
            to.Write(buffer, 0, n);
            left -= n;
        }
        return cut;
    }

    public void Dispose() => _dir.Dispose();
}
