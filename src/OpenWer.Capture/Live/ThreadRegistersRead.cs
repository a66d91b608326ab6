using OpenWer.Format.Contexts;

namespace OpenWer.Capture.Live;

/// <summary>A stopped thread's registers in its architecture's CONTEXT, and its thread pointer (fs_base / TPIDR_EL0).</summary>
internal sealed record ThreadRegistersRead(ContextAmd64? Amd64, ContextArm64? Arm64, ulong ThreadPointer);
