using System.CommandLine;
using OpenWer.Cli;

var root = new RootCommand("OpenWer: Windows Error Reporting's crash-dump collection for Linux")
{
    DumpCommand.Create(),
    RunCommand.Create(),
    LocalDumpsCommand.Create(),
    ReportsCommand.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parse.Errors)
        Console.Error.WriteLine($"wer: {error.Message}");
    Console.Error.WriteLine("wer: see `wer --help`");
    return OpenWer.Cli.ExitCodes.Usage;
}
return parse.Invoke();
