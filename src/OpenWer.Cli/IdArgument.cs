using System.CommandLine.Parsing;
using System.Globalization;

namespace OpenWer.Cli;

/// <summary>A process or thread id on the command line: a decimal number, or an error that says so in the user's words.</summary>
public static class IdArgument
{
    /// <summary>The parser's own error names a .NET type ("as expected type 'System.Int32'"); this one names the id.</summary>
    public static int Parse(ArgumentResult result, string what)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id))
            return id;
        result.AddError($"\"{text}\" is not a {what} (a decimal number, as ps shows it)");
        return 0;
    }
}
