namespace OpenWer.Cli;

/// <summary>
/// Whether `wer run` can start a program, checked before anything is started: the shell that execs it would say
/// "exec: X: not found" under a name of ours. The exit codes are the shell's (and env's, timeout's): 127, 126.
/// </summary>
public static class RunnableProgram
{
    public const int NotFound = 127;
    public const int NotExecutable = 126;

    /// <summary>Null when <paramref name="program"/> can be run; else the exit code and what to do.</summary>
    public static (int Code, string Message)? Problem(string program)
    {
        if (!program.Contains('/'))
        {
            string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
            var found = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, program)).FirstOrDefault(IsExecutableFile);
            return found is null ? (NotFound, $"{program}: not found in PATH; give the program's path") : null;
        }
        if (Directory.Exists(program))
            return (NotExecutable, $"{program} is a folder; give the program in it");
        if (!File.Exists(program))
            return (NotFound, $"{program}: no such file; give the path of the program to run");
        if (!IsExecutableFile(program))
            return (NotExecutable, $"{program} is not executable (chmod +x it, or run its interpreter with it)");
        return null;
    }

    // The permission bits only: whether this user may execute it, exec itself says (the shell then exits 126 too).
    private static bool IsExecutableFile(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
