using OpenWer.Snapshot;

namespace OpenWer.Capture.Live;

/// <summary>
/// A stopped thread's registers in its ABI's CONTEXT, and its thread pointer (fs_base, TPIDR_EL0, or for an i386
/// thread the base of its %gs TLS segment).
/// </summary>
internal sealed record ThreadRegistersRead(CpuContext Context, ulong ThreadPointer);
