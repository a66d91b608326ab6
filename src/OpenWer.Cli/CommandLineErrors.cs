using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace OpenWer.Cli;

/// <summary>What `wer` says of a command line it cannot take: each problem, an unknown option by its name, and which help to read.</summary>
public static class CommandLineErrors
{
    /// <summary>True when the line has errors, or an option no command knows (which the parser may have taken for an argument).</summary>
    public static bool Any(ParseResult parse) => parse.Errors.Count > 0 || UnknownOptions(parse).Any();

    /// <summary>Prints the problems on stderr and returns the usage exit code.</summary>
    public static int Report(ParseResult parse)
    {
        var unknown = UnknownOptions(parse).ToList();
        // An unknown option makes the parser's own messages about what follows it misleading ("cannot parse '--x' as Int32"): it alone is named.
        foreach (string message in unknown.Count > 0 ? unknown.Select(o => $"unknown option {o}") : parse.Errors.Select(e => e.Message))
            Console.Error.WriteLine($"wer: {message}");
        Console.Error.WriteLine($"wer: see `{CommandPath(parse.CommandResult)} --help`");
        return ExitCodes.Usage;
    }

    /// <summary>
    /// Tokens that look like options and are not one: those the parser left over, and those it gave to an argument
    /// ("wer run --bogus -- prog" would run "--bogus"). Everything after "--" is the user's, and a negative number is a value.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parse)
    {
        var beforeDoubleDash = parse.Tokens.TakeWhile(t => t.Type != TokenType.DoubleDash).ToList();
        var givenToArguments = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens)
            .Where(t => beforeDoubleDash.Any(b => ReferenceEquals(b, t))).Select(t => t.Value);
        return parse.UnmatchedTokens.Concat(givenToArguments).Where(LooksLikeAnOption).Distinct();
    }

    private static bool LooksLikeAnOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? s = command; s is not null; s = s.Parent)
            if (s is CommandResult c)
                names.Add(c.Parent is null ? "wer" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
