using System.CommandLine;
using System.Globalization;
using OpenWer.Capture;
using OpenWer.Dumps;
using OpenWer.Dumps.Requests;
using OpenWer.Format;
using OpenWer.Format.Writing;

namespace OpenWer.Cli;

/// <summary>`wer dump PID`: parse, call <see cref="LiveDumper"/>, print.</summary>
public static class DumpCommand
{
    public static Command Create()
    {
        var pid = new Argument<int>("pid") { Description = "The process to dump; it keeps running", CustomParser = r => IdArgument.Parse(r, "process id") };
        var type = new Option<string>("--type", "-t")
        {
            Description = "Dump type: micro (the chosen thread's stack), mini, heap (private memory too) or full (all memory)",
            DefaultValueFactory = _ => "mini",
        };
        type.AcceptOnlyFromAmong("micro", "mini", "heap", "full");
        var flags = new Option<string?>("--flags")
        {
            Description = "Custom MINIDUMP_TYPE flags in hex (e.g. 0x121), instead of --type (LocalDumps DumpType 0)",
        };
        var thread = new Option<int?>("--thread")
        {
            Description = "The thread the dump is for (the exception thread); default: the main thread",
            CustomParser = r => IdArgument.Parse(r, "thread id"),
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "The file to write; default: <exe>.<pid>.dmp in the current folder",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the output file if it exists" };
        var include = new Option<string[]>("--include-memory")
        {
            Description = "Also include ADDRESS:SIZE (hex), whatever the flags (registered memory blocks)",
            AllowMultipleArgumentsPerToken = false,
        };
        var request = new Option<string?>("--request")
        {
            Description = "Take the whole request from a JSON message in FILE, or stdin for - (docs/dump-request.md): how a process asks for a dump of itself",
        };
        var command = new Command("dump", "Write a minidump of a running process and let it run on")
        {
            pid, type, flags, thread, output, overwrite, include, request,
        };
        pid.Arity = ArgumentArity.ZeroOrOne;
        command.SetAction(parse => parse.GetValue(request) is { } from
            ? RunRequest(from, parse.GetResult(pid) is not null || parse.GetResult(type) is { Implicit: false } || parse.GetResult(flags) is not null
                || parse.GetResult(thread) is not null || parse.GetResult(output) is not null || parse.GetResult(include) is not null)
            : parse.GetResult(pid) is null
                ? Fail(ExitCodes.Usage, "give the pid of the process to dump")
                : Run(parse.GetValue(pid), parse.GetValue(type)!, parse.GetValue(flags), parse.GetValue(thread),
                    parse.GetValue(output), parse.GetValue(overwrite), parse.GetResult(type) is { Implicit: false }, parse.GetValue(include) ?? []));
        return command;
    }

    private static int RunRequest(string from, bool withOtherOptions)
    {
        if (withOtherOptions)
            return Fail(ExitCodes.Usage, "--request holds the whole request: give no pid or other option with it");
        DumpRequest request;
        try
        {
            using var input = from == "-" ? Console.OpenStandardInput() : File.OpenRead(from);
            request = DumpRequestMessage.Read(input).ToRequest();
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("dump", Input: $"the request {from}"), e);
        }
        return Dump(request);
    }

    private static int Run(int pid, string typeName, string? flagsText, int? thread, string? output, bool overwrite, bool typeGiven, string[] include)
    {
        try
        {
            if (pid <= 0 || !Directory.Exists($"/proc/{pid}"))
                throw new ProcessNotFoundException(pid);
            string path = output ?? $"{ExecutableName(pid)}.{pid}.dmp";
            DumpRequest request;
            if (flagsText is not null)
            {
                if (typeGiven)
                    return Fail(ExitCodes.Usage, "give --type or --flags, not both");
                request = new DumpRequest(pid, HexArgument.Flags(flagsText), thread, false, path, overwrite);
            }
            else
            {
                var type = Enum.Parse<DumpType>(typeName, ignoreCase: true);
                // From the command line a micro dump defaults to the main thread; the API insists on a thread.
                request = DumpRequest.ForType(pid, type, thread ?? (type == DumpType.Micro ? pid : null), path, overwrite);
            }
            return Dump(request with { ExtraMemory = [.. include.Select(ParseRange)] });
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("dump"), e);
        }
    }

    private static int Dump(DumpRequest request)
    {
        int pid = request.ProcessId;
        try
        {
            // The capture says so if there is no such process (ProcessNotFoundException, below).
            var result = LiveDumper.Dump(request);
            Console.WriteLine($"wrote {result.Path}: {result.Size / 1048576.0:F1} MiB, {result.ThreadCount} threads, {result.ModuleCount} modules; " +
                $"process {pid} was stopped {result.TargetStopped.TotalMilliseconds:F1} ms and runs on");
            if (result.UnreadableRanges.Count > 0)
                Console.Error.WriteLine($"note: {result.UnreadableRanges.Count} unreadable range(s) written as zeros (IgnoreInaccessibleMemory), first at {result.UnreadableRanges[0]}");
            return ExitCodes.Success;
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("dump", Output: request.OutputPath, Outcome: "no dump was written"), e);
        }
    }

    private static MemoryRange ParseRange(string text)
    {
        var parts = text.Split(':');
        static ulong Hex(string s) => HexArgument.TryParse(s, out ulong v)
            ? v : throw new ArgumentException($"--include-memory: \"{s}\" is not hexadecimal");
        if (parts.Length != 2)
            throw new ArgumentException($"--include-memory {text}: expected ADDRESS:SIZE in hex");
        return new MemoryRange(Hex(parts[0]), Hex(parts[1]));
    }

    private static string ExecutableName(int pid)
    {
        if (Capture.Proc.ProcFiles.ExecutableName(pid) is { } name)
            return name;
        string comm = File.Exists($"/proc/{pid}/comm") ? File.ReadAllText($"/proc/{pid}/comm").Trim() : "";
        return comm.Length > 0 ? comm : "process";
    }

    private static int Fail(int code, string message) => CommandFailure.Fail("dump", code, message);
}
