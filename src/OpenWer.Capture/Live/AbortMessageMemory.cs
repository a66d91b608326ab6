using System.Buffers.Binary;
using OpenWer.Capture.Elf;
using OpenWer.Capture.Proc;
using OpenWer.Format.Writing;
using OpenWer.Snapshot;

namespace OpenWer.Capture.Live;

/// <summary>
/// Where glibc left the text it printed before abort() (a failed assertion, a malloc or fortify check): libc's
/// __abort_msg points at a page of its own, struct abort_msg_s { u32 size; char msg[]; }. That pointer and the page
/// are a few KiB every dump type should hold, so that a mini dump tells which assertion failed. The symbol is found
/// in the mapped libc file itself (map_files); nothing when libc is not there or the pointer is null.
/// </summary>
public static class AbortMessageMemory
{
    private const string Symbol = "__abort_msg";
    private const ulong MaxMessage = 64 << 10;

    public static IReadOnlyList<MemoryRange> Locate(ProcDirectory proc, IReadOnlyList<Mapping> mappings, IReadOnlyList<ModuleSnapshot> modules, IMemorySource memory)
    {
        foreach (var libc in modules.Where(m => m.Kind == ModuleKind.Elf && Path.GetFileName(m.Name).StartsWith("libc.so", StringComparison.Ordinal)))
        {
            if (mappings.FirstOrDefault(m => m.Start == libc.Base && m.Offset == 0) is not { } first)
                continue;
            ulong? pointerAddress;
            try
            {
                using var file = proc.OpenFile($"map_files/{first.Start:x}-{first.End:x}");
                int Read(long offset, Span<byte> destination) => RandomAccess.Read(file, destination, offset);
                var image = ElfImage.TryParse(Read);
                pointerAddress = image is null ? null
                    : ElfDynamicSymbols.Find(Read, Symbol) is { } value ? libc.Base + value - image.MinLoadAddress : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (pointerAddress is not { } at)
                continue;
            Span<byte> word = stackalloc byte[8];
            if (memory.Read(at, word) != 8)
                return [];
            ulong message = BinaryPrimitives.ReadUInt64LittleEndian(word);
            if (message == 0 || memory.Read(message, word[..4]) != 4)
                return [new MemoryRange(at, 8)];
            // The size is the process's to claim: kept within its mapping and a bound.
            ulong size = Math.Clamp(BinaryPrimitives.ReadUInt32LittleEndian(word), 4u, (uint)MaxMessage);
            if (mappings.FirstOrDefault(m => m.Start <= message && message < m.End) is not { } holding)
                return [new MemoryRange(at, 8)];
            return [new MemoryRange(at, 8), new MemoryRange(message, Math.Min(size, holding.End - message))];
        }
        return [];
    }
}
