namespace OpenWer.Analysis.Walking;

/// <summary>How a frame was found, most trustworthy first (rust-minidump's "trust" values).</summary>
public enum FrameTrust
{
    /// <summary>The thread's saved context: exact.</summary>
    Context,
    /// <summary>DWARF call-frame information of the callee's module.</summary>
    Cfi,
    /// <summary>The callee's saved frame pointer and the return address above it.</summary>
    FramePointer,
    /// <summary>A word on the stack that points just after a call instruction in executable code.</summary>
    Scan,
    /// <summary>A frame of managed (JIT-compiled) code, walked by the .NET runtime's DAC.</summary>
    Managed,
}
