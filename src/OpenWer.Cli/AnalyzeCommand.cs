using System.CommandLine;
using OpenWer.Analysis;
using OpenWer.Analysis.Reports;
using OpenWer.Format;

namespace OpenWer.Cli;

/// <summary>`wer analyze DUMP`: what crashed, why, and where: the crashing thread's stack, the others, the modules.</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var dump = new Argument<string>("dump") { Description = "The minidump to read" };
        var json = new Option<bool>("--json") { Description = "Print JSON (rust-minidump's minidump-stackwalk field names; docs/analyze.md)" };
        var allThreads = new Option<bool>("--all-threads") { Description = "Print every thread's frames, not a summary line per thread" };
        var command = new Command("analyze", "Analyze a minidump: the crash and its reason, stacks walked and symbolized, modules") { dump, json, allThreads };
        command.SetAction(parse => Run(parse.GetValue(dump)!, parse.GetValue(json), parse.GetValue(allThreads)));
        return command;
    }

    private static int Run(string path, bool json, bool allThreads)
    {
        if (!File.Exists(path))
            return Fail(ExitCodes.Usage, $"{path}: no such file");
        try
        {
            using var dump = CrashDump.Open(path);
            var report = DumpReport.Build(dump);
            if (json)
            {
                using var stdout = Console.OpenStandardOutput();
                JsonReport.Write(report, stdout);
                stdout.Write("\n"u8);
            }
            else
            {
                TextReport.Write(report, Console.Out, allThreads);
            }
            return ExitCodes.Success;
        }
        catch (MinidumpFormatException e) { return Fail(ExitCodes.Failure, $"{path} is not a readable minidump: {e.Message}"); }
        catch (UnauthorizedAccessException e) { return Fail(ExitCodes.Failure, $"cannot read {path}: {e.Message}"); }
        catch (IOException e) { return Fail(ExitCodes.Failure, $"reading {path} failed: {e.Message}"); }
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"wer analyze: {message}");
        return code;
    }
}
