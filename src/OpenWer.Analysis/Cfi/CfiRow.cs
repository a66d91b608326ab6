namespace OpenWer.Analysis.Cfi;

/// <summary>One row of the CFI table: how to compute the CFA and each register's rule at a code address.</summary>
public sealed class CfiRow
{
    public const int MaxColumns = 128;
    private readonly CfiRule[] _rules = new CfiRule[MaxColumns];

    public CfiRule Cfa { get; set; }

    public CfiRule this[int column]
    {
        get => (uint)column < MaxColumns ? _rules[column] : default;
        set
        {
            if ((uint)column >= MaxColumns)
                throw new CfiFormatException($"register {column} is beyond the {MaxColumns} columns we track");
            _rules[column] = value;
        }
    }

    public CfiRow Clone()
    {
        var copy = new CfiRow { Cfa = Cfa };
        _rules.CopyTo(copy._rules, 0);
        return copy;
    }
}
