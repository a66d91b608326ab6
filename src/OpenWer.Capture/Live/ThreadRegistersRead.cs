using OpenWer.Format.Contexts;

namespace OpenWer.Capture.Live;

/// <summary>
/// A stopped thread's registers in its ABI's CONTEXT (one of the three is set), and its thread pointer
/// (fs_base, TPIDR_EL0, or for an i386 thread the base of its %gs TLS segment).
/// </summary>
internal sealed record ThreadRegistersRead(ContextAmd64? Amd64, ContextArm64? Arm64, ulong ThreadPointer)
{
    public ContextX86? X86 { get; init; }
}
