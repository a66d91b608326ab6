using OpenWer.Capture.Live;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Dumps.Tests;

/// <summary>Threads that come and go while we attach: the dump is still whole and the process runs on.</summary>
public sealed class ThreadChurnTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DumpsOfAProcessCreatingThreadsWithoutEndSucceed()
    {
        using var target = new NativeTarget(threads: 4);
        Assert.Equal("CHURNING", target.Send("churn"));
        for (int i = 0; i < 15; i++)
        {
            string path = _dir.File($"churn{i}.dmp");
            using (var capture = LiveProcessCapture.Capture(target.Pid, new LiveCaptureOptions()))
            {
                // Every thread is stopped: /proc shows each in tracing stop ('t') while we hold the process.
                foreach (var t in capture.Snapshot.Threads)
                {
                    string stat = File.ReadAllText($"/proc/{target.Pid}/task/{t.ThreadId}/stat");
                    Assert.Equal('t', stat[stat.LastIndexOf(')') + 2]);
                }
                // ... and none was missed: the task list holds no live thread we did not capture (a thread that had
                // exited, a zombie until its group reaps it, cannot be attached and has nothing to dump).
                var tasks = Directory.GetDirectories($"/proc/{target.Pid}/task").Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture))
                    .Where(tid => OpenWer.Capture.Proc.ProcFiles.ThreadState(target.Pid, tid) is not ('Z' or 'X' or '\0'));
                Assert.Subset(capture.Snapshot.Threads.Select(t => t.ThreadId).ToHashSet(), tasks.ToHashSet());
            }
            LiveDumper.Dump(DumpRequest.ForType(target.Pid, DumpType.Mini, null, path));
            Assert.Contains(target.Pid, Lldb.ThreadIds(Lldb.Run(path, "thread list")));
        }
        target.AssertAlive();
    }
}
