using System.Text.Json;
using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.Analysis.Tests;

/// <summary>
/// Mini dumps of analyze-crashes.c (-O2, no frame pointers) taken once for the signature tests: three runs of each
/// crash that is compared across runs, one of the others. Each run is another process (another pid, another ASLR layout).
/// </summary>
public sealed class SignatureDumps : IDisposable
{
    public const string Variant = "O2-nofp";
    public static readonly string[] Repeated = ["null-write", "libc-strlen", "abort"];
    public static readonly string[] Once = ["libc-strlen-other", "null-call", "in-handler"];

    private readonly TempDir _dir = new();
    public string Binary { get; } = CrashFixture.Binary(Variant);
    /// <summary>Every dump of a mode, in the order the runs were made.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Dumps { get; }

    public SignatureDumps()
    {
        var dumps = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var mode in Repeated.Concat(Once))
        {
            int runs = Repeated.Contains(mode) ? 3 : 1;
            var list = new List<string>();
            for (int run = 0; run < runs; run++)
            {
                using var scratch = new TempDir();
                string dump = CrashFixture.Dump(Binary, mode, "mini", scratch);
                string kept = _dir.File($"{mode}-{run}.dmp");
                File.Copy(dump, kept);
                list.Add(kept);
            }
            dumps[mode] = list;
        }
        Dumps = dumps;
    }

    /// <summary>`wer analyze --json` of one dump (with a rules folder, when given).</summary>
    public static JsonDocument Analyze(string dump, string? rules = null)
    {
        var r = Tool.Run(CrashFixture.Wer, rules is null ? ["analyze", "--json", dump] : ["analyze", "--json", "--signature-rules", rules, dump]);
        Assert.True(r.ExitCode == 0, r.All);
        return JsonDocument.Parse(r.Output);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>The signature and grouping tests share one set of dumps.</summary>
[CollectionDefinition(Name)]
public sealed class SignatureDumpsCollection : ICollectionFixture<SignatureDumps>
{
    public const string Name = "signature dumps";
}
