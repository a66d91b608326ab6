namespace OpenWer.Analysis.Walking;

/// <summary>
/// A frame's registers by DWARF register number (the numbering CFI uses), each known or not: after an unwind
/// step only the registers the step could recover are known.
/// </summary>
public sealed class RegisterSet
{
    private readonly ulong?[] _values;

    public ICpuArchitecture Architecture { get; }

    public RegisterSet(ICpuArchitecture architecture)
    {
        Architecture = architecture;
        _values = new ulong?[architecture.RegisterCount];
    }

    public ulong? this[int register]
    {
        get => (uint)register < (uint)_values.Length ? _values[register] : null;
        set
        {
            if ((uint)register < (uint)_values.Length)
                _values[register] = value;
        }
    }

    public ulong Pc => this[Architecture.PcRegister] ?? 0;
    public ulong Sp => this[Architecture.SpRegister] ?? 0;
    public ulong? Fp => this[Architecture.FpRegister];

    /// <summary>A copy with only the callee-saved registers kept: what a caller can still rely on.</summary>
    public RegisterSet CalleeSaved()
    {
        var copy = new RegisterSet(Architecture);
        foreach (int r in Architecture.CalleeSavedRegisters)
            copy[r] = this[r];
        return copy;
    }

    /// <summary>The known registers by name, for the JSON report.</summary>
    public IEnumerable<(string Name, ulong Value)> Known()
    {
        for (int r = 0; r < _values.Length; r++)
            if (_values[r] is { } v && Architecture.RegisterName(r) is { } name)
                yield return (name, v);
    }
}
