using OpenWer.Capture;
using OpenWer.Dumps.Output;
using OpenWer.Format.Writing;

namespace OpenWer.Cli;

/// <summary>
/// The one mapping from what the libraries throw to the exit code of `wer` (README.md) and the message on stderr.
/// An exception it does not expect is a bug, not bad input: it is left to end the command with its stack trace.
/// </summary>
public static class CommandFailure
{
    /// <summary>What the command was doing: the runtime's I/O exceptions do not say whether a file was read or written.</summary>
    /// <param name="Command">The verb the messages begin with ("dump", "localdumps").</param>
    /// <param name="Input">The file being read, as the message names it ("the request FILE"); only for a step that writes nothing.</param>
    /// <param name="Output">The file being written.</param>
    /// <param name="Outcome">What a failure means for the user ("no dump was written"), added where the message does not say it.</param>
    /// <param name="WhenDenied">What to do when the system refused access ("machine-wide collection needs root").</param>
    public sealed record Context(string Command, string? Input = null, string? Output = null, string? Outcome = null, string? WhenDenied = null);

    /// <summary>A documented failure of a command (the filter of its catch); anything else is a bug.</summary>
    public static bool IsExpected(Exception e) =>
        e is CaptureException or UnreadableMemoryException or IOException or UnauthorizedAccessException or ArgumentException;

    /// <summary>Prints the message and returns the exit code.</summary>
    public static int Report(Context context, Exception e)
    {
        var (code, message) = Describe(context, e);
        return Fail(context.Command, code, message);
    }

    /// <summary>Prints "wer COMMAND: MESSAGE" on stderr and returns <paramref name="code"/>.</summary>
    public static int Fail(string command, int code, string message)
    {
        Console.Error.WriteLine($"wer {command}: {message}");
        return code;
    }

    public static (int Code, string Message) Describe(Context context, Exception e) => e switch
    {
        ProcessNotFoundException => (ExitCodes.NoSuchProcess, e.Message),
        PtraceDeniedException => (ExitCodes.PermissionDenied, e.Message),
        ProcessExitedException => (ExitCodes.ProcessExited, e.Message),
        // A --thread that is not one of the process's: the argument was wrong.
        ThreadNotFoundException => (ExitCodes.Usage, e.Message),
        CaptureException or UnreadableMemoryException => (ExitCodes.Failure, Then(e.Message, context.Outcome)),
        // It says where it could not write and what to do.
        DumpOutputException => (ExitCodes.OutputError, e.Message),
        ArgumentException a => (ExitCodes.Usage, WithoutParameterName(a)),
        UnauthorizedAccessException => Denied(context, e.Message),
        IOException when context.Input is { } input => (ExitCodes.Usage, $"cannot read {input}: {Clause(e.Message)}"),
        IOException when context.Output is { } output => (ExitCodes.OutputError, Then($"cannot write {output}: {e.Message}", context.Outcome)),
        IOException or InvalidOperationException => (ExitCodes.Failure, Then(e.Message, context.Outcome)),
        _ => throw new InvalidOperationException($"`wer {context.Command}` has no exit code for {e.GetType().Name}", e),
    };

    private static (int Code, string Message) Denied(Context context, string message)
    {
        var (code, text) = context switch
        {
            { Input: { } input } => (ExitCodes.PermissionDenied, $"cannot read {input}: {message}"),
            { Output: { } output } => (ExitCodes.OutputError, $"cannot write {output}: {message}"),
            _ => (ExitCodes.PermissionDenied, message),
        };
        return (code, Then(Then(text, context.WhenDenied), context.Outcome));
    }

    private static string Then(string message, string? clause) =>
        clause is null || message.Contains(clause, StringComparison.OrdinalIgnoreCase) ? message : $"{Clause(message)}; {clause}";

    // The runtime's messages end with a full stop, and a clause of ours follows after a semicolon.
    private static string Clause(string message) => message.TrimEnd().TrimEnd('.');

    // ArgumentException appends " (Parameter 'flags')": a name in our code, not on the command line.
    private static string WithoutParameterName(ArgumentException e)
    {
        string suffix = $" (Parameter '{e.ParamName}')";
        return e.ParamName is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }
}
