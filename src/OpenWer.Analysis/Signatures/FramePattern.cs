namespace OpenWer.Analysis.Signatures;

/// <summary>A pattern of the signature rules: literal text with '*' matching any run of characters (none included).</summary>
public sealed class FramePattern
{
    private readonly string[] _parts;

    public string Text { get; }

    public FramePattern(string text)
    {
        Text = text;
        _parts = text.Split('*');
    }

    public bool Matches(string name)
    {
        var s = name.AsSpan();
        if (_parts.Length == 1)
            return s.SequenceEqual(_parts[0]);
        if (!s.StartsWith(_parts[0], StringComparison.Ordinal))
            return false;
        s = s[_parts[0].Length..];
        // Middle parts are taken at their first occurrence: the earliest match leaves the most room for the rest.
        for (int i = 1; i < _parts.Length - 1; i++)
        {
            int at = s.IndexOf(_parts[i], StringComparison.Ordinal);
            if (at < 0)
                return false;
            s = s[(at + _parts[i].Length)..];
        }
        return s.EndsWith(_parts[^1], StringComparison.Ordinal);
    }

    public override string ToString() => Text;
}
