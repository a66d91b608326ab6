using System.CommandLine;
using OpenWer.Cli;

// The crash handler the kernel runs (core_pattern): its arguments are data, taken by position from its raw
// command line by the handler itself, never through the command-line parser.
if (args is ["localdumps", "handle", ..])
    return OpenWer.LocalDumps.MachineWide.CrashHandler.Run(Console.OpenStandardInput());

var root = new RootCommand("OpenWer: Windows Error Reporting's crash-dump collection for Linux")
{
    DumpCommand.Create(),
    ConvertCommand.Create(),
    DebugCommand.Create(),
    AnalyzeCommand.Create(),
    RunCommand.Create(),
    LocalDumpsCommand.Create(),
    ReportsCommand.Create(),
};
var parse = root.Parse(args);
if (CommandLineErrors.Any(parse) && parse.Action is not System.CommandLine.Help.HelpAction)
    return CommandLineErrors.Report(parse);
return parse.Invoke();
