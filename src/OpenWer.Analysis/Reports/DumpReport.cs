using OpenWer.Analysis.Signatures;

namespace OpenWer.Analysis.Reports;

/// <summary>Everything `wer analyze` prints for one dump: the crash, each thread's walk (the crashing thread's first), the modules, the signature.</summary>
public sealed record DumpReport(CrashDump Dump, IReadOnlyList<ThreadReport> Threads, CrashSignature Signature)
{
    public static DumpReport Build(CrashDump dump, SignatureRules? rules = null)
    {
        var crashing = dump.CrashingThread;
        var threads = dump.Threads.Select(t => new ThreadReport(t, dump.Walk(t), t == crashing)).ToList();
        var signature = SignatureMaker.Make(dump, threads.FirstOrDefault(t => t.IsCrashing)?.Stack, rules ?? SignatureRules.BuiltIn);
        return new DumpReport(dump, threads, signature);
    }

    public ThreadReport? Crashing => Threads.FirstOrDefault(t => t.IsCrashing);
}
