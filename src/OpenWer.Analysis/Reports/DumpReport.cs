namespace OpenWer.Analysis.Reports;

/// <summary>Everything `wer analyze` prints for one dump: the crash, each thread's walk (the crashing thread's first), the modules.</summary>
public sealed record DumpReport(CrashDump Dump, IReadOnlyList<ThreadReport> Threads)
{
    public static DumpReport Build(CrashDump dump)
    {
        var crashing = dump.CrashingThread;
        var threads = dump.Threads.Select(t => new ThreadReport(t, dump.Walk(t), t == crashing)).ToList();
        return new DumpReport(dump, threads);
    }

    public ThreadReport? Crashing => Threads.FirstOrDefault(t => t.IsCrashing);
}
