using System.CommandLine;
using OpenWer.Capture.Core;
using OpenWer.Dumps;
using OpenWer.Format;

namespace OpenWer.Cli;

/// <summary>`wer convert CORE --to minidump`: an ELF core file (kernel, gcore, systemd-coredump) into a minidump of the chosen type.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var core = new Argument<string>("core") { Description = "The ELF core file (decompress a systemd-coredump .zst file first)" };
        var to = new Option<string>("--to") { Description = "The format to write: minidump", DefaultValueFactory = _ => "minidump" };
        to.AcceptOnlyFromAmong("minidump");
        var type = new Option<string>("--type", "-t")
        {
            Description = "Dump type: micro (the crashing thread), mini, heap or full (all the core holds)",
            DefaultValueFactory = _ => "mini",
        };
        type.AcceptOnlyFromAmong("micro", "mini", "heap", "full");
        var flags = new Option<string?>("--flags") { Description = "Custom MINIDUMP_TYPE flags in hex, instead of --type" };
        var output = new Option<string>("--output", "-o") { Description = "The minidump to write", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the output file if it exists" };
        var command = new Command("convert", "Convert an ELF core file into a minidump") { core, to, type, flags, output, overwrite };
        command.SetAction(parse => Run(parse.GetValue(core)!, parse.GetValue(type)!, parse.GetResult(type) is { Implicit: false }, parse.GetValue(flags),
            parse.GetValue(output)!, parse.GetValue(overwrite)));
        return command;
    }

    private static int Run(string corePath, string typeName, bool typeGiven, string? flagsText, string output, bool overwrite)
    {
        if (flagsText is not null && typeGiven)
            return Fail(ExitCodes.Usage, "give --type or --flags, not both");
        if (Directory.Exists(corePath))
            return Fail(ExitCodes.Usage, $"{corePath} is a folder; give the core file");
        if (!File.Exists(corePath))
            return Fail(ExitCodes.Usage, $"{corePath}: no such file");
        var type = Enum.Parse<DumpType>(typeName, ignoreCase: true);
        MinidumpType flags;
        Snapshot.ISnapshotSource source;
        try
        {
            flags = flagsText is null ? DumpTypeFlags.For(type) : HexArgument.Flags(flagsText);
            source = ElfCoreFile.Open(corePath, withAvx: (flags & MinidumpType.WithAvxXStateContext) != 0);
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("convert", Input: corePath, Outcome: "no dump was written", WhenDenied: "run as a user who may read it"), e);
        }
        using (source)
        {
            try
            {
                var snapshot = source.Snapshot;
                int? only = flagsText is null && type == DumpType.Micro ? snapshot.Exception?.ThreadId : null;
                var result = SnapshotDumper.WriteFile(snapshot, flags, only, output, overwrite);
                Console.WriteLine($"wrote {result.Path}: {result.Size / 1048576.0:F1} MiB, {result.ThreadCount} threads, {result.ModuleCount} modules, " +
                    $"from the core of process {snapshot.ProcessId}");
                if (result.UnreadableRanges.Count > 0)
                    Console.Error.WriteLine($"note: {result.UnreadableRanges.Count} range(s) the core does not hold written as zeros, first at {result.UnreadableRanges[0]}");
                return ExitCodes.Success;
            }
            catch (Exception e) when (CommandFailure.IsExpected(e))
            {
                return CommandFailure.Report(new("convert", Output: output, Outcome: "no dump was written"), e);
            }
        }
    }

    private static int Fail(int code, string message) => CommandFailure.Fail("convert", code, message);
}
