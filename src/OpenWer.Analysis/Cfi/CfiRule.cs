namespace OpenWer.Analysis.Cfi;

/// <summary>How to recover one register of the caller (DWARF 5, 6.4.1): its kind, an offset or register, or an expression's place in the section.</summary>
public readonly record struct CfiRule(CfiRuleKind Kind, long Offset = 0, int Register = 0, int ExpressionStart = 0, int ExpressionLength = 0);

public enum CfiRuleKind
{
    /// <summary>No rule given: callee-saved registers keep their value, others are lost.</summary>
    Unspecified,
    Undefined,
    SameValue,
    /// <summary>Saved at CFA + offset.</summary>
    Offset,
    /// <summary>Is CFA + offset.</summary>
    ValOffset,
    /// <summary>Is in another register.</summary>
    Register,
    /// <summary>Saved at the address the expression computes.</summary>
    Expression,
    /// <summary>Is the value the expression computes.</summary>
    ValExpression,
    /// <summary>For the CFA: a register plus an offset.</summary>
    RegisterOffset,
}
