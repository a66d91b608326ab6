using System.CommandLine;
using OpenWer.Analysis;
using OpenWer.Analysis.Grouping;
using OpenWer.Analysis.Managed;
using OpenWer.Analysis.Reports;
using OpenWer.Analysis.Signatures;
using OpenWer.Format;

namespace OpenWer.Cli;

/// <summary>
/// `wer analyze DUMP...`: one dump gives what crashed, why, and where (its stacks, modules and signature); several
/// dumps, folders or report stores give a table of their signatures (docs/analyze.md).
/// </summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var dumps = new Argument<string[]>("dump")
        {
            Description = "The minidump to read; or several, folders (their *.dmp files at any depth) and report stores (their queue/ and archive/)",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON (rust-minidump's minidump-stackwalk field names; docs/analyze.md)" };
        var allThreads = new Option<bool>("--all-threads") { Description = "Print every thread's frames, not a summary line per thread" };
        var rules = new Option<string?>("--signature-rules") { Description = "A folder with irrelevant.txt, prefix.txt and/or rename.txt replacing the built-in signature rules" };
        var dac = new Option<string?>("--dac") { Description = "A .NET dump: the runtime's libmscordaccore.so to use (by default the one beside the libcoreclr.so on this machine with the dump's build-id)" };
        var heap = new Option<bool>("--heap") { Description = "A .NET heap or full dump: the GC heap's objects by type (count, total size), like dumpheap -stat" };
        var command = new Command("analyze", "Analyze minidumps: the crash and its reason, stacks walked and symbolized, modules, signatures; several dumps grouped by signature")
            { dumps, json, allThreads, rules, dac, heap };
        command.SetAction(parse => Run(parse.GetValue(dumps)!, parse.GetValue(json), parse.GetValue(allThreads), parse.GetValue(rules),
            new ManagedOptions(parse.GetValue(dac), parse.GetValue(heap))));
        return command;
    }

    private static int Run(string[] arguments, bool json, bool allThreads, string? rulesFolder, ManagedOptions managed)
    {
        SignatureRules rules;
        try
        {
            rules = SignatureRules.Load(rulesFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Fail(ExitCodes.Usage, $"the signature rules cannot be read: {e.Message}");
        }
        if (managed.DacPath is { } dacPath && !File.Exists(dacPath))
            return Fail(ExitCodes.Usage, $"--dac {dacPath}: no such file");
        if (arguments is [var single] && !Directory.Exists(single))
            return RunOne(single, json, allThreads, rules, managed);
        IReadOnlyList<string> files;
        try
        {
            files = DumpInputs.Expand(arguments);
        }
        catch (FileNotFoundException e) { return Fail(ExitCodes.Usage, e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Fail(ExitCodes.Failure, $"a folder cannot be listed: {e.Message}"); }
        if (files.Count == 0)
            return Fail(ExitCodes.Failure, $"no dumps (*.dmp) in {string.Join(", ", arguments)}");
        var grouping = DumpGrouping.Analyze(files, rules);
        Print(json, s => GroupJsonReport.Write(grouping, s), w => GroupTextReport.Write(grouping, w));
        foreach (var bad in grouping.Unreadable)
            Console.Error.WriteLine($"wer analyze: {bad.Path}: {bad.Problem}");
        // The table is the result: files it could not read are told, and fail the command only when nothing was read.
        return grouping.DumpCount > 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static int RunOne(string path, bool json, bool allThreads, SignatureRules rules, ManagedOptions managed)
    {
        if (!File.Exists(path))
            return Fail(ExitCodes.Usage, $"{path}: no such file");
        try
        {
            using var dump = CrashDump.Open(path);
            var report = DumpReport.Build(dump, rules, managed);
            Print(json, s => JsonReport.Write(report, s), w => TextReport.Write(report, w, allThreads));
            return ExitCodes.Success;
        }
        catch (MinidumpFormatException e) { return Fail(ExitCodes.Failure, $"{path} is not a readable minidump: {e.Message}"); }
        catch (UnauthorizedAccessException e) { return Fail(ExitCodes.Failure, $"cannot read {path}: {e.Message}"); }
        catch (IOException e) { return Fail(ExitCodes.Failure, $"reading {path} failed: {e.Message}"); }
    }

    private static int Fail(int code, string message) => CommandFailure.Fail("analyze", code, message);

    /// <summary>A report to stdout: JSON (one line, then a newline) or text.</summary>
    private static void Print(bool json, Action<Stream> writeJson, Action<TextWriter> writeText)
    {
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            writeJson(stdout);
            stdout.Write("\n"u8);
        }
        else
        {
            writeText(Console.Out);
        }
    }
}
