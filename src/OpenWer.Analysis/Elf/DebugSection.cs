using System.Buffers.Binary;
using System.IO.Compression;

namespace OpenWer.Analysis.Elf;

/// <summary>
/// A DWARF section's bytes, decompressed when the linker compressed it: SHF_COMPRESSED with an Elf64_Chdr
/// (ELFCOMPRESS_ZLIB or ELFCOMPRESS_ZSTD), or GNU's older .zdebug_* ("ZLIB" and a big-endian size). The size a
/// header claims is the size allocated, so it is bounded, and the stream must give exactly that many bytes.
/// </summary>
public static class DebugSection
{
    /// <summary>The largest decompressed section accepted.</summary>
    public const long MaxDecompressedSize = 512L << 20;
    private const int ChdrSize = 24;
    private const uint CompressZlib = 1, CompressZstd = 2;

    /// <summary>The bytes of the section named <paramref name="name"/> (".debug_line"), or null with why when it is absent or cannot be read.</summary>
    public static byte[]? Read(ElfFile file, string name, out string? problem)
    {
        problem = null;
        if (file.FindSection(name) is { } section)
        {
            if (file.ReadStoredSection(section) is not { } stored)
            {
                problem = $"{name} of {file.Path} is not in the file or is larger than {ElfFile.MaxSectionSize} bytes";
                return null;
            }
            return (section.Flags & ElfSection.FlagCompressed) == 0 ? stored : Decompress(stored, name, file.Path, out problem);
        }
        if (name.StartsWith(".debug_", StringComparison.Ordinal) && file.FindSection(".z" + name[1..]) is { } legacy)
        {
            if (file.ReadStoredSection(legacy) is not { } stored)
            {
                problem = $"{legacy.Name} of {file.Path} is not in the file";
                return null;
            }
            if (stored.Length < 12 || !stored.AsSpan(0, 4).SequenceEqual("ZLIB"u8))
            {
                problem = $"{legacy.Name} of {file.Path} does not start with a ZLIB header";
                return null;
            }
            return Inflate(stored.AsMemory(12), BinaryPrimitives.ReadUInt64BigEndian(stored.AsSpan(4)), CompressZlib, legacy.Name, file.Path, out problem);
        }
        return null;
    }

    private static byte[]? Decompress(byte[] stored, string name, string path, out string? problem)
    {
        if (stored.Length < ChdrSize)
        {
            problem = $"{name} of {path} is shorter than its compression header";
            return null;
        }
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(stored);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(stored.AsSpan(8));
        return Inflate(stored.AsMemory(ChdrSize), size, type, name, path, out problem);
    }

    private static byte[]? Inflate(ReadOnlyMemory<byte> compressed, ulong size, uint type, string name, string path, out string? problem)
    {
        problem = null;
        if (size > MaxDecompressedSize)
        {
            problem = $"{name} of {path} claims {size} bytes decompressed, more than the {MaxDecompressedSize} accepted";
            return null;
        }
        if (type is not (CompressZlib or CompressZstd))
        {
            problem = $"{name} of {path} is compressed with an unknown method ({type})";
            return null;
        }
        var output = new byte[size];
        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using Stream stream = type == CompressZlib ? new ZLibStream(input, CompressionMode.Decompress) : new ZstdSharp.DecompressionStream(input);
            int n = stream.ReadAtLeast(output, output.Length, throwOnEndOfStream: false);
            Span<byte> more = stackalloc byte[1];
            if (n != output.Length || stream.Read(more) != 0)
            {
                problem = $"{name} of {path} does not decompress to the {size} bytes its header claims";
                return null;
            }
            return output;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ZstdSharp.ZstdException)
        {
            problem = $"{name} of {path} does not decompress: {e.Message}";
            return null;
        }
    }
}
