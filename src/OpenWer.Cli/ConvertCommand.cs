using System.CommandLine;
using OpenWer.Capture.Core;
using OpenWer.Dumps;
using OpenWer.Format;

namespace OpenWer.Cli;

/// <summary>
/// `wer convert INPUT [--to minidump|core]`: an ELF core file (kernel, gcore, systemd-coredump) into a minidump of
/// the chosen type, or a minidump into an ELF core file for gdb. The input's kind is told by its first bytes, and
/// chooses the default of --to.
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The ELF core file (decompress a systemd-coredump .zst file first), or a minidump" };
        var to = new Option<string?>("--to") { Description = "The format to write: minidump (of a core; the default for one) or core (of a minidump; the default for one)" };
        to.AcceptOnlyFromAmong("minidump", "core");
        var type = new Option<string>("--type", "-t")
        {
            Description = "Of a core: dump type micro (the crashing thread), mini, heap or full (all the core holds)",
            DefaultValueFactory = _ => "mini",
        };
        type.AcceptOnlyFromAmong("micro", "mini", "heap", "full");
        var flags = new Option<string?>("--flags") { Description = "Of a core: custom MINIDUMP_TYPE flags in hex, instead of --type" };
        var output = new Option<string>("--output", "-o") { Description = "The file to write", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the output file if it exists" };
        var command = new Command("convert", "Convert an ELF core file into a minidump, or a minidump into an ELF core file") { input, to, type, flags, output, overwrite };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(input)!;
            if (Directory.Exists(path))
                return Fail(ExitCodes.Usage, $"{path} is a folder; give the {(parse.GetValue(to) == "core" ? "minidump" : "core")} file");
            if (!File.Exists(path))
                return Fail(ExitCodes.Usage, $"{path}: no such file");
            bool typeGiven = parse.GetResult(type) is { Implicit: false };
            string target = parse.GetValue(to) ?? (IsMinidump(path) ? "core" : "minidump");
            if (target == "core")
            {
                if (typeGiven || parse.GetValue(flags) is not null)
                    return Fail(ExitCodes.Usage, "--type and --flags choose a minidump's contents; a core holds all the minidump does");
                return ConvertToCoreCommand.Run(path, parse.GetValue(output)!, parse.GetValue(overwrite));
            }
            return ToMinidump(path, parse.GetValue(type)!, typeGiven, parse.GetValue(flags), parse.GetValue(output)!, parse.GetValue(overwrite));
        });
        return command;
    }

    /// <summary>Whether the file starts with a minidump's signature, "MDMP"; a file that cannot be read is left to the converter to report.</summary>
    private static bool IsMinidump(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("MDMP"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int ToMinidump(string corePath, string typeName, bool typeGiven, string? flagsText, string output, bool overwrite)
    {
        if (flagsText is not null && typeGiven)
            return Fail(ExitCodes.Usage, "give --type or --flags, not both");
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
