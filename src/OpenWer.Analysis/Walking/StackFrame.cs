using OpenWer.Analysis.Modules;

namespace OpenWer.Analysis.Walking;

/// <summary>One frame of a walked stack: its address, how it was found, its registers, and what it symbolizes to.</summary>
public sealed class StackFrame
{
    public required int Index { get; init; }
    /// <summary>The frame's pc: exact for the context frame (and a signal's interrupted frame), a return address otherwise.</summary>
    public required ulong Address { get; init; }
    public required FrameTrust Trust { get; init; }
    public required RegisterSet Registers { get; init; }
    /// <summary>Whether <see cref="Address"/> is the instruction itself rather than the one after a call.</summary>
    public bool IsExactPc { get; init; }

    /// <summary>The address that lies inside the calling instruction: a return address can be the first byte of the next function.</summary>
    public ulong LookupAddress => IsExactPc || Address == 0 ? Address : Address - 1;

    public DumpModule? Module { get; set; }
    public string? Function { get; set; }
    public ulong FunctionOffset { get; set; }
    /// <summary>The source file and line of <see cref="LookupAddress"/>, when the module's line table has them.</summary>
    public Lines.SourceLocation? Source { get; set; }

    /// <summary>For a frame of managed code: the method, its assembly and IL offset (<see cref="Function"/> is then Type.Method).</summary>
    public Managed.ManagedFrame? Managed { get; init; }

    public ulong ModuleOffset => Module is null ? 0 : Address - Module.BaseAddress;
}
