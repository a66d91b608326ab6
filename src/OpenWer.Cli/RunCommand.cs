using System.CommandLine;
using OpenWer.Dumps;
using OpenWer.LocalDumps.Settings;
using OpenWer.LocalDumps.Supervision;

namespace OpenWer.Cli;

/// <summary>`wer run -- PROGRAM ARGS`: per-user collection for one program, no root needed.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var program = new Argument<string[]>("command") { Description = "The program and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var type = new Option<string?>("--type", "-t") { Description = "Dump type instead of the LocalDumps DumpType: micro, mini, heap or full" };
        type.AcceptOnlyFromAmong("micro", "mini", "heap", "full");
        var folder = new Option<string?>("--folder") { Description = "Dump folder instead of the LocalDumps DumpFolder" };
        var settings = new Option<string>("--settings") { Description = "The LocalDumps settings file", DefaultValueFactory = _ => SettingsFile.DefaultPath };
        var command = new Command("run", "Run a program; if it crashes, write its dump (LocalDumps settings) before it ends, then end the same way")
        {
            program, type, folder, settings,
        };
        command.SetAction(parse =>
        {
            var args = parse.GetValue(program)!;
            if (RunnableProgram.Problem(args[0]) is { } problem)
                return CommandFailure.Fail("run", problem.Code, problem.Message);
            var dumpType = parse.GetValue(type) is { } t ? Enum.Parse<DumpType>(t, ignoreCase: true) : (DumpType?)null;
            var flags = dumpType is { } d ? DumpTypeFlags.For(d) : (Format.MinidumpType?)null;
            try
            {
                var options = new RunOptions(flags, parse.GetValue(folder), parse.GetValue(settings)!, OnlyCrashingThread: dumpType == DumpType.Micro);
                var outcome = SupervisedRun.Run(args[0], args[1..], options, Console.Error);
                SupervisedRun.EndLike(outcome);
                return outcome.ShellStatus;
            }
            catch (Exception e) when (CommandFailure.IsExpected(e))
            {
                return CommandFailure.Report(new("run"), e);
            }
        });
        return command;
    }
}
