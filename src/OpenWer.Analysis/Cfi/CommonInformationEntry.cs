namespace OpenWer.Analysis.Cfi;

/// <summary>A CIE of .eh_frame: the alignment factors, return-address column, encodings and initial instructions its FDEs share.</summary>
public sealed record CommonInformationEntry(ulong CodeAlignment, long DataAlignment, int ReturnAddressColumn, byte PointerEncoding,
    bool HasAugmentationData, bool IsSignalFrame, int InstructionsStart, int InstructionsEnd);
