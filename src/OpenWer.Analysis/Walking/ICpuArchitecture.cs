namespace OpenWer.Analysis.Walking;

/// <summary>
/// What the unwinders need to know of a CPU: its registers in DWARF numbering, which of them hold the pc, stack
/// and frame pointers, and how to recognize a return address. One implementation per architecture.
/// </summary>
public interface ICpuArchitecture
{
    string Name { get; }
    int RegisterCount { get; }
    int PcRegister { get; }
    int SpRegister { get; }
    int FpRegister { get; }
    /// <summary>The CFI column that holds the return address (x86_64: 16, the rip column; arm64: x30).</summary>
    int ReturnAddressColumn { get; }
    int PointerSize { get; }
    IReadOnlyList<int> CalleeSavedRegisters { get; }
    string? RegisterName(int register);

    /// <summary>
    /// The frame pointer chain's layout: the caller's frame pointer is saved at fp + SavedFpOffset, the return
    /// address at fp + ReturnAddressOffset, and the caller's stack pointer is fp + CallerSpOffset.
    /// </summary>
    (int SavedFpOffset, int ReturnAddressOffset, int CallerSpOffset) FramePointerLayout { get; }

    /// <summary>Whether the code that ends at <paramref name="returnAddress"/> ends with a call instruction.</summary>
    bool EndsWithCall(ReadOnlySpan<byte> codeBefore, ulong returnAddress);

    /// <summary>How many code bytes <see cref="EndsWithCall"/> wants before the return address.</summary>
    int MaxCallLength { get; }
}
