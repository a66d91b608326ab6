using OpenWer.Analysis.Managed;
using OpenWer.Analysis.Signatures;

namespace OpenWer.Analysis.Reports;

/// <summary>Everything `wer analyze` prints for one dump: the crash, each thread's walk (the crashing thread's first), the modules, the signature.</summary>
public sealed record DumpReport(CrashDump Dump, IReadOnlyList<ThreadReport> Threads, CrashSignature Signature, ManagedAnalysis? Managed = null)
{
    /// <summary>The report; with <paramref name="managed"/>, a dump of a .NET process gets its managed view (frames merged before the signature is made).</summary>
    public static DumpReport Build(CrashDump dump, SignatureRules? rules = null, ManagedOptions? managed = null)
    {
        var crashing = dump.CrashingThread;
        var walks = dump.Threads.ToDictionary(t => t, dump.Walk);
        var dotnet = managed is null ? null : ManagedAnalysis.Read(dump, managed, walks);
        var threads = dump.Threads.Select(t => new ThreadReport(t, dotnet?.Stack(t, walks[t]) ?? walks[t], t == crashing, dotnet?.Thread(t.ThreadId))).ToList();
        var signature = SignatureMaker.Make(dump, threads.FirstOrDefault(t => t.IsCrashing)?.Stack, rules ?? SignatureRules.BuiltIn);
        return new DumpReport(dump, threads, signature, dotnet);
    }

    public ThreadReport? Crashing => Threads.FirstOrDefault(t => t.IsCrashing);
}
