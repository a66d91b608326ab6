using System.Diagnostics;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// A running instance of tests/fixtures/native/target.c, built with cc once per test run. It prints its facts
/// (addresses, ids) on start and answers "ping" with its heartbeat count, so a test can see it runs on after a dump.
/// </summary>
public sealed class NativeTarget : IDisposable
{
    private static readonly Lazy<string> Binary = new(Build);
    private readonly Process _process;

    /// <summary>The fixture's binary (built on first use).</summary>
    public static string BinaryPath => Binary.Value;

    public IReadOnlyDictionary<string, string> Facts { get; }
    /// <summary>The target's pid: it runs as a grandchild of the test (see the constructor).</summary>
    public int Pid { get; }

    public NativeTarget(int threads = 6, int heapMib = 0)
        : this(Binary.Value, ["--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--heap-mib", heapMib.ToString(System.Globalization.CultureInfo.InvariantCulture)])
    {
    }

    /// <summary>Starts any program that speaks the fixtures' protocol (READY line, ping/PONG), e.g. the managed fixture.</summary>
    public NativeTarget(string program, IEnumerable<string> arguments)
    {
        // The target is started by a shell, not by us: were it our child, the .NET runtime's SIGCHLD handler would
        // reap its ptrace stops (waitpid reports a traced child's stops to every thread of the tracer) and take
        // them for its exit. A dumper is never the parent of what it dumps in real use either.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        // A background job's stdin is /dev/null unless redirected explicitly.
        psi.ArgumentList.Add("exec 3<&0; \"$0\" \"$@\" <&3 3<&- & wait");
        psi.ArgumentList.Add(program);
        foreach (var argument in arguments)
            psi.ArgumentList.Add(argument);
        _process = Process.Start(psi)!;
        string line = ReadLine(TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException("the target printed nothing");
        if (!line.StartsWith("READY ", StringComparison.Ordinal))
            throw new InvalidOperationException("unexpected first line from the target: " + line);
        Facts = line[6..].Split(' ').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Pid = Int("pid");
    }

    public ulong Address(string fact) => Convert.ToUInt64(Facts[fact], 16);

    public int Int(string fact) => int.Parse(Facts[fact], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The heartbeat count; throws if the target does not answer (it died or hangs).</summary>
    public long Ping()
    {
        _process.StandardInput.WriteLine("ping");
        _process.StandardInput.Flush();
        string line = ReadLine(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"target {Pid} did not answer; it exited: {HasExited}");
        return long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sends a command and returns the line it answers.</summary>
    public string Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
        return ReadLine(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"target {Pid} did not answer {command}");
    }

    /// <summary>Asserts the target runs on: it answers, and its heartbeat thread keeps beating.</summary>
    public void AssertAlive()
    {
        long before = Ping();
        Thread.Sleep(50);
        long after = Ping();
        Assert.False(HasExited, "the target exited");
        Assert.True(after > before, $"the heartbeat stopped ({before} -> {after})");
    }

    public IReadOnlyList<int> TaskIds() =>
        Directory.GetDirectories($"/proc/{Pid}/task").Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();

    /// <summary>Gone, or a zombie.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{Pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
            }
            catch (IOException)
            {
                return true;
            }
        }
    }

    private string? ReadLine(TimeSpan timeout)
    {
        var task = _process.StandardOutput.ReadLineAsync();
        return task.Wait(timeout) ? task.Result : null;
    }

    private static string Build() =>
        FixtureCompiler.Build(RepoPaths.NativeFixtureSource, Path.Combine(FixtureCompiler.Folder("openwer-fixture"), "target"),
            FixtureCompiler.DebugThreaded, FixtureCompiler.TargetLibraries);

    public void Dispose()
    {
        try
        {
            using var target = Process.GetProcessById(Pid);
            target.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
