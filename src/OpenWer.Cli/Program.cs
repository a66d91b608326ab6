using System.CommandLine;
using OpenWer.Cli;

var root = new RootCommand("OpenWer: Windows Error Reporting's crash-dump collection for Linux")
{
    DumpCommand.Create(),
};
return root.Parse(args).Invoke();
