namespace OpenWer.Analysis.Cfi;

/// <summary>An FDE of .eh_frame: the link-time code range it covers and where its instructions are in the section.</summary>
public readonly record struct FrameDescriptionEntry(ulong PcBegin, ulong PcEnd, int CieOffset, int InstructionsStart, int InstructionsEnd);
