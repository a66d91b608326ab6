using OpenWer.Format.Streams;

namespace OpenWer.Format.Reading;

/// <summary>The Memory64List: ranges whose bytes follow one another from BaseRva.</summary>
public sealed record Memory64List(ulong BaseRva, IReadOnlyList<Memory64Descriptor> Ranges);
