using System.CommandLine;
using System.Globalization;
using OpenWer.LocalDumps.MachineWide;
using OpenWer.LocalDumps.MachineWide.Service;
using OpenWer.LocalDumps.Settings;

namespace OpenWer.Cli;

/// <summary>`wer localdumps show|set|unset|import`: the machine-wide LocalDumps settings.</summary>
public static class LocalDumpsCommand
{
    public static Command Create()
    {
        var settings = new Option<string>("--settings") { Description = "The settings file", DefaultValueFactory = _ => SettingsFile.DefaultPath, Recursive = true };
        var app = new Option<string?>("--app") { Description = "An application's section (its executable file name), instead of the global values", Recursive = true };
        var command = new Command("localdumps", "The LocalDumps policy: which crashes get dumps, of what type, where, how many kept") { settings, app };

        var show = new Command("show", "Print the values in force and where each comes from");
        show.SetAction(p => Show(p.GetValue(settings)!, p.GetValue(app)));

        var name = new Argument<string>("name") { Description = "DumpFolder, DumpCount, DumpType or CustomDumpFlags" };
        var value = new Argument<string>("value") { Description = "The value (DWORDs in decimal or 0x hex)" };
        var set = new Command("set", "Set a value") { name, value };
        set.SetAction(p => Edit(p.GetValue(settings)!, p.GetValue(app), p.GetValue(name)!, p.GetValue(value)));

        var unsetName = new Argument<string>("name") { Description = "The value to remove" };
        var unset = new Command("unset", "Remove a value (the next level applies)") { unsetName };
        unset.SetAction(p => Edit(p.GetValue(settings)!, p.GetValue(app), p.GetValue(unsetName)!, null));

        var file = new Argument<string>("file") { Description = "A .reg export of ...\\Windows Error Reporting\\LocalDumps" };
        var import = new Command("import", "Read a Windows registry export of the LocalDumps key") { file };
        import.SetAction(p => Import(p.GetValue(settings)!, p.GetValue(file)!));

        var handler = new Option<string?>("--handler") { Description = $"An installed wer binary for the kernel to run (root's, in root's folders; default: this one, installed at {LocalDumps.MachineWide.HandlerInstallation.InstalledPath})" };
        var mode = new Option<string>("--mode")
        {
            Description = "socket: a resident service on the kernel's coredump socket (Linux 6.17), pipe: a handler started per crash; auto: socket where the kernel has it and no previous pipe handler is to get the cores",
            DefaultValueFactory = _ => "auto",
        };
        mode.AcceptOnlyFromAmong("auto", "socket", "pipe");
        var enable = new Command("enable", "Collect dumps of every crashing process on this machine (root): registers the crash handler in kernel.core_pattern") { handler, mode };
        enable.SetAction(p => Enable(p.GetValue(handler), p.GetValue(mode)!));
        var disable = new Command("disable", "Stop machine-wide collection: stops the coredump service, restores the previous kernel.core_pattern");
        disable.SetAction(_ => Disable());
        var serve = new Command("serve", "The coredump service (root; `enable` starts it): serves the kernel's coredump socket until SIGTERM");
        serve.SetAction(p => new LocalDumps.MachineWide.Service.CoredumpService(p.GetValue(settings)!).Run());

        var collectPid = new Argument<int>("pid") { Description = "The process", CustomParser = r => IdArgument.Parse(r, "process id") };
        var collectThread = new Option<int?>("--thread") { Description = "The thread the dump is for", CustomParser = r => IdArgument.Parse(r, "thread id") };
        var collect = new Command("collect", "Write a LocalDumps dump of a running process now, by the settings") { collectPid, collectThread };
        collect.SetAction(p =>
        {
            try
            {
                var result = LocalDumps.Collection.LiveCollection.Collect(p.GetValue(collectPid), p.GetValue(collectThread), p.GetValue(settings)!);
                Console.WriteLine(result.DumpPath is not null ? $"wrote {result.DumpPath}" : $"no dump: {result.Skipped}");
                return ExitCodes.Success;
            }
            catch (Exception e) when (CommandFailure.IsExpected(e))
            {
                return CommandFailure.Report(new("localdumps", Outcome: "no dump was written"), e);
            }
        });

        command.Subcommands.Add(collect);
        command.Subcommands.Add(LocalDumpsListCommand.Create(settings));
        command.Subcommands.Add(enable);
        command.Subcommands.Add(disable);
        command.Subcommands.Add(serve);
        command.Subcommands.Add(show);
        command.Subcommands.Add(set);
        command.Subcommands.Add(unset);
        command.Subcommands.Add(import);
        return command;
    }

    private static int Enable(string? handler, string mode)
    {
        try
        {
            if (LocalDumps.MachineWide.CrashedProcess.KernelVersion() < LocalDumps.MachineWide.CrashedProcess.PidFdKernel)
                return Fail(ExitCodes.Failure, $"this kernel ({LocalDumps.MachineWide.CrashedProcess.KernelVersion()}) does not hand pipe handlers a pidfd (%F, Linux {LocalDumps.MachineWide.CrashedProcess.PidFdKernel}): without it a root handler cannot tell the crashed process from one that took its pid. Use `wer run` to collect a program's crashes");
            string path;
            if (handler is not null)
            {
                path = Path.GetFullPath(handler);
                if (LocalDumps.MachineWide.HandlerInstallation.WhyUntrusted(path) is { } problem)
                    return Fail(ExitCodes.Usage, $"refusing --handler {path}: {problem}. The kernel runs it as root for every crash; install it where only root can write (or leave --handler out to install this wer at {LocalDumps.MachineWide.HandlerInstallation.InstalledPath})");
            }
            else
            {
                path = LocalDumps.MachineWide.HandlerInstallation.InstallSelf();
                Console.WriteLine($"installed the crash handler at {path}");
            }
            // A service already running serves the old binary and settings: the pipe pattern first, then a new service.
            CoredumpServiceControl.Stop(TimeSpan.FromSeconds(90));
            var registration = new LocalDumps.MachineWide.CorePatternRegistration();
            string pattern = registration.Enable(path);
            Console.WriteLine($"kernel.core_pattern = {pattern}");
            Console.WriteLine($"kernel.core_pipe_limit = {LocalDumps.MachineWide.CorePatternRegistration.PipeLimit}");
            bool previousIsPipe = registration.Previous is { } previous && previous.Pattern.StartsWith('|');
            if (registration.Previous is { } p)
                Console.WriteLine($"previous pattern, restored by `wer localdumps disable`{(previousIsPipe ? " and still given every core" : "")}: {p.Pattern}");
            if (mode == "pipe" || (mode == "auto" && (previousIsPipe || !CoredumpService.KernelHasSocket())))
                return ExitCodes.Success;
            if (previousIsPipe)
                return Fail(ExitCodes.Usage, $"--mode socket cannot give each core to the previous pipe handler ({registration.Previous!.Value.Pattern}); the pipe handler collects crashes now (use --mode pipe, or auto)");
            if (!CoredumpService.KernelHasSocket())
                return Fail(ExitCodes.Failure, $"this kernel ({CrashedProcess.KernelVersion()}) has no coredump socket with its request protocol (Linux {CoredumpService.SocketKernel}); the pipe handler collects crashes now");
            try
            {
                int pid = CoredumpServiceControl.Start(path, TimeSpan.FromSeconds(20));
                Console.WriteLine($"kernel.core_pattern = {CoredumpService.Pattern} (the coredump service, pid {pid}, while it runs; the pipe handler above when it does not)");
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"wer localdumps enable: {e.Message}; the pipe handler collects crashes now");
                return mode == "auto" ? ExitCodes.Success : ExitCodes.Failure;
            }
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is InvalidOperationException || CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(MachineWide, e);
        }
    }

    private static int Disable()
    {
        try
        {
            if (CoredumpServiceControl.Stop(TimeSpan.FromSeconds(90)))
                Console.WriteLine("stopped the coredump service");
            string restored = new LocalDumps.MachineWide.CorePatternRegistration().Disable();
            Console.WriteLine($"kernel.core_pattern = {restored}");
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is InvalidOperationException || CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(MachineWide, e);
        }
    }

    private static int Show(string path, string? application)
    {
        var file = SettingsStore.Load(path, out string? refused);
        var effective = LocalDumpsSettings.Resolve(file, application, CrashingUser.Current());
        Console.WriteLine($"settings: {path}{(File.Exists(path) ? "" : " (absent: defaults apply)")}");
        if (refused is not null)
            Console.WriteLine($"problem: settings ignored: {refused}");
        if (application is not null)
        {
            var section = file.FindApplication(application);
            Console.WriteLine($"application: {application} ({(section is null ? "no section of its own" : $"section [LocalDumps\\{section.Application}]")})");
        }
        Line("DumpFolder", effective.DumpFolder.Value, effective.DumpFolder.Written, effective.DumpFolder.Source);
        Line("DumpCount", effective.DumpCount.Value.ToString(CultureInfo.InvariantCulture), effective.DumpCount.Written, effective.DumpCount.Source);
        string typeName = effective.DumpType.Value switch { 0 => "custom", 2 => "full", _ => "mini" };
        Line("DumpType", $"{effective.DumpType.Value} ({typeName})", effective.DumpType.Written, effective.DumpType.Source);
        Line("CustomDumpFlags", $"0x{(uint)effective.CustomDumpFlags.Value:x}", effective.CustomDumpFlags.Written, effective.CustomDumpFlags.Source);
        Console.WriteLine($"flags in force: 0x{(uint)effective.Flags:x}");
        foreach (var problem in file.Problems.Concat(effective.Problems))
            Console.WriteLine($"problem: {problem}");
        ShowHandler(file);
        return ExitCodes.Success;
    }

    /// <summary>What the machine-wide handler keeps (its log, its rate-limit memory) and the crashes the kernel never gave it.</summary>
    private static void ShowHandler(SettingsFile file)
    {
        string pattern = new CorePatternRegistration().CurrentPattern;
        int? service = CoredumpServiceControl.Running();
        Console.WriteLine(pattern == CoredumpService.Pattern
            ? service is { } pid
                ? $"collection: the coredump service (pid {pid}) on {pattern}"
                : $"collection: NONE: kernel.core_pattern is {pattern} but no coredump service runs, so the kernel drops every crash; run `wer localdumps enable`"
            : PreviousHandler.IsOurs(pattern) ? $"collection: the pipe handler ({pattern})" : $"collection: not enabled (kernel.core_pattern = {pattern})");
        Console.WriteLine(file.CrashRateLimit == 0
            ? "rate limit: off"
            : $"rate limit: {file.CrashRateLimit} dumps of one executable per {file.CrashRateWindow} s");
        string state = Path.Combine(CrashRateLimiter.DefaultFolder, CrashRateLimiter.StateName);
        if (!Environment.IsPrivilegedProcess)
            Console.WriteLine($"rate-limit state: {state} (root only)");
        else if (CrashRateLimiter.Current() is { } table)
            Console.WriteLine($"rate-limit state: {state}: {table.Count} executable(s) tracked (at most {CrashRateTable.MaxExecutables})");
        else
            Console.WriteLine($"rate-limit state: {state}: none yet");
        ShowLog(file);
        var dropped = KernelDroppedCores.Read(out string? problem);
        string limit = File.ReadAllText("/proc/sys/kernel/core_pipe_limit").Trim();
        if (dropped is null)
            Console.WriteLine($"kernel: cannot read the kernel log ({problem}; root can): crashes it dropped over kernel.core_pipe_limit ({limit}) are not counted");
        else if (dropped.Count == 0)
            Console.WriteLine($"kernel: no crash dropped over kernel.core_pipe_limit ({limit}) in the kernel log");
        else
            Console.WriteLine($"kernel: {dropped.Count} crash(es) dropped over kernel.core_pipe_limit ({limit}) reached no handler and are not in its log; newest: {dropped.Newest}");
        if (dropped is { SocketFailed: > 0 })
            Console.WriteLine($"kernel: {dropped.SocketFailed} crash(es) found no one serving the coredump socket and were not collected; newest: {dropped.NewestSocketFailed}");
    }

    private static void ShowLog(SettingsFile file)
    {
        string log = HandlerLog.FilePath;
        if (!File.Exists(log))
        {
            Console.WriteLine($"handler log: {log}: none yet");
            return;
        }
        Console.WriteLine($"handler log: {log} ({new FileInfo(log).Length} bytes; past {file.LogMaxBytes} it becomes {HandlerLog.RotatedPath})");
        try
        {
            using var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            f.Position = Math.Max(0, f.Length - 16384);
            string tail = new StreamReader(f).ReadToEnd().TrimEnd('\n');
            if (tail.Length > 0)
                Console.WriteLine($"newest line: {LogText.OneLine(tail[(tail.LastIndexOf('\n') + 1)..])}");
        }
        catch (UnauthorizedAccessException)
        {
            Console.WriteLine("newest line: (the log is readable by root only)");
        }
    }

    private static void Line(string name, string value, string written, string source) =>
        Console.WriteLine($"{name,-16} {value,-40} {source}{(written != value ? $": {written}" : "")}");

    private static int Edit(string path, string? application, string name, string? value)
    {
        if (!Enum.TryParse<LocalDumpsValue>(name, ignoreCase: true, out var key) || int.TryParse(name, out _))
            return Fail(ExitCodes.Usage, $"{name} is not a LocalDumps value: DumpFolder, DumpCount, DumpType or CustomDumpFlags");
        var file = SettingsStore.Load(path, out string? refused);
        if (refused is not null)
            return Fail(ExitCodes.Failure, $"refusing to edit: {refused}");
        var section = application is null ? file.Global : file.Section(application);
        if (value is null)
        {
            section.Values.Remove(key);
        }
        else
        {
            // Check the value as the crash handler would read it, so the file holds no value that will not be used.
            var probe = new SettingsFile();
            probe.Global.Values[key] = value;
            var problems = LocalDumpsSettings.Resolve(probe, null, CrashingUser.Current()).Problems.ToList();
            if (problems.Count > 0)
                return Fail(ExitCodes.Usage, string.Join("; ", problems));
            section.Values[key] = value;
        }
        return Save(path, file);
    }

    private static int Import(string path, string regFile)
    {
        if (!File.Exists(regFile))
            return Fail(ExitCodes.Usage, $"{regFile} does not exist");
        var file = SettingsStore.Load(path, out string? refused);
        if (refused is not null)
            return Fail(ExitCodes.Failure, $"refusing to edit: {refused}");
        var problems = RegistryExport.Import(File.ReadAllBytes(regFile), file);
        foreach (var p in problems)
            Console.Error.WriteLine($"wer localdumps import: {p}");
        if (problems.Any(p => p.StartsWith("not a registry export", StringComparison.Ordinal) || p.StartsWith("the export holds no", StringComparison.Ordinal)))
            return ExitCodes.Usage;
        int saved = Save(path, file);
        if (saved == ExitCodes.Success)
            Show(path, null);
        return saved;
    }

    private static int Save(string path, SettingsFile file)
    {
        try
        {
            SettingsStore.Save(path, file);
            return ExitCodes.Success;
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("localdumps", Output: path, WhenDenied: "the machine-wide settings need root"), e);
        }
    }

    private static readonly CommandFailure.Context MachineWide = new("localdumps", WhenDenied: "machine-wide collection needs root");

    private static int Fail(int code, string message) => CommandFailure.Fail("localdumps", code, message);
}
