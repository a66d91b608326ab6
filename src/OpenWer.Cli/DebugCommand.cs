using System.CommandLine;
using System.Diagnostics;
using OpenWer.Analysis;
using OpenWer.Analysis.Modules;
using OpenWer.Dumps.Cores;
using OpenWer.Dumps.Refilter;
using OpenWer.Format;

namespace OpenWer.Cli;

/// <summary>
/// `wer debug DUMP [--lldb] [-- ARGS]`: coredumpctl debug for minidumps. gdb gets an ELF core converted from the dump
/// (a private temporary file, removed when gdb ends) and the program's file, found by the dump's path and used only if
/// its build-id is the dump's; lldb reads the minidump itself. The debugger's exit code is ours.
/// </summary>
public static class DebugCommand
{
    public static Command Create()
    {
        var dump = new Argument<string>("dump") { Description = "The minidump" };
        var rest = new Argument<string[]>("debugger-arguments") { Description = "Arguments for the debugger (after --), e.g. -batch -ex bt", Arity = ArgumentArity.ZeroOrMore };
        var lldb = new Option<bool>("--lldb") { Description = "Open it in lldb (which reads minidumps) instead of gdb" };
        var command = new Command("debug", "Open a dump in gdb (through an ELF core) or lldb") { dump, rest, lldb };
        command.SetAction(p => Run(p.GetValue(dump)!, p.GetValue(rest) ?? [], p.GetValue(lldb)));
        return command;
    }

    private static int Run(string dumpPath, string[] arguments, bool lldb)
    {
        if (!File.Exists(dumpPath))
            return CommandFailure.Fail("debug", ExitCodes.Usage, $"{dumpPath}: no such file");
        string? debugger = Find(lldb ? ["lldb", "lldb-19", "lldb-18", "lldb-17", "lldb-16"] : ["gdb"]);
        if (debugger is null)
            return CommandFailure.Fail("debug", ExitCodes.Failure, lldb ? "lldb is not installed (apt-get install lldb-16)" : "gdb is not installed (apt-get install gdb)");
        return lldb ? Start(debugger, [.. arguments, "--core", dumpPath]) : WithGdb(debugger, dumpPath, arguments);
    }

    private static int WithGdb(string gdb, string dumpPath, string[] arguments)
    {
        string? program;
        try
        {
            using var dump = CrashDump.Open(dumpPath);
            program = dump.Modules.Modules.FirstOrDefault() is { } main ? ProgramFile(main) : null;
        }
        catch (MinidumpFormatException e)
        {
            return CommandFailure.Fail("debug", ExitCodes.Failure, $"{dumpPath} is not a readable minidump: {e.Message}");
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("debug", Input: dumpPath, Outcome: "no debugger was started", WhenDenied: "run as a user who may read it"), e);
        }
        // The core holds the process's memory: a folder of our own (0700), removed however gdb ends.
        var folder = Directory.CreateTempSubdirectory("wer-debug-");
        try
        {
            string core = Path.Combine(folder.FullName, Path.GetFileNameWithoutExtension(dumpPath) + ".core");
            try
            {
                using var source = MinidumpSource.Open(dumpPath);
                ElfCoreWriter.WriteFile(source.Snapshot, source.HeldMemory(), core, overwrite: false);
            }
            catch (MinidumpFormatException e)
            {
                return CommandFailure.Fail("debug", ExitCodes.Failure, $"{dumpPath} is not a readable minidump: {e.Message}");
            }
            catch (Exception e) when (CommandFailure.IsExpected(e))
            {
                return CommandFailure.Report(new("debug", Input: dumpPath, Outcome: "no debugger was started"), e);
            }
            return Start(gdb, program is null ? [.. arguments, "-c", core] : [.. arguments, program, core]);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The program's file if it is the one that crashed (same build-id); else null, and why on stderr.</summary>
    private static string? ProgramFile(DumpModule main)
    {
        using var image = ModuleFileLocator.Default.Locate(main);
        if (image.File is { } file)
            return file.Path;
        Console.Error.WriteLine($"wer debug: {main.Path} is not used ({image.SymbolSource}); gdb gets the core alone");
        return null;
    }

    private static int Start(string debugger, string[] arguments)
    {
        var psi = new ProcessStartInfo(debugger, arguments) { UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {debugger}");
        process.WaitForExit();
        return process.ExitCode;
    }

    private static string? Find(string[] names)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return names.SelectMany(n => folders.Select(f => Path.Combine(f, n))).FirstOrDefault(File.Exists);
    }
}
