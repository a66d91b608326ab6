using System.Text.Json;
using System.Text.Json.Serialization;
using OpenWer.Snapshot;
using OpenWer.Dumps.Selection;
using OpenWer.Format.Writing;

namespace OpenWer.Dumps.Requests;

/// <summary>
/// A dump request as one JSON message: how a process asks the `wer` helper for a dump of itself (a process cannot
/// ptrace itself), given on the helper's stdin with `wer dump --request -`. Its fields are docs/dump-request.md's;
/// it carries everything a <see cref="DumpRequest"/> holds, so the helper needs no options of its own.
/// </summary>
public sealed record DumpRequestMessage
{
    public const int CurrentVersion = 1;
    /// <summary>A request is a few hundred bytes; a larger one is refused before it is parsed.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Required: a helper refuses a message of a version it does not know rather than guess.</summary>
    public int Version { get; init; }
    public int ProcessId { get; init; }
    /// <summary>The thread the dump is for (the exception thread); null: the main thread.</summary>
    public int? ThreadId { get; init; }
    /// <summary>MINIDUMP_TYPE flags.</summary>
    public ulong Flags { get; init; }
    public bool OnlyThisThread { get; init; }
    public string? OutputPath { get; init; }
    public bool Overwrite { get; init; }
    public IReadOnlyList<MemoryBlock>? ExtraMemory { get; init; }
    public RecordedException? Exception { get; init; }
    public WriteFilter? Filter { get; init; }

    /// <summary>Memory to include whatever the flags (WerRegisterMemoryBlock).</summary>
    public sealed record MemoryBlock(ulong Address, ulong Size);

    /// <summary>The exception to record instead of "dump requested": a signal number, si_code and address on Linux.</summary>
    public sealed record RecordedException(uint Code, uint Flags, ulong Address);

    /// <summary>WER_DUMP_CUSTOM_OPTIONS' write flags (null: everything); see <see cref="DumpFilter"/>.</summary>
    public sealed record WriteFilter(uint? ExceptionThreadFlags, uint? OtherThreadFlags, uint? PreferredModuleFlags, uint? OtherModuleFlags,
        IReadOnlyList<string> PreferredModules);

    public static DumpRequestMessage From(DumpRequest r) => new()
    {
        Version = CurrentVersion,
        ProcessId = r.ProcessId,
        ThreadId = r.ThreadId,
        Flags = (ulong)r.Flags,
        OnlyThisThread = r.OnlyThisThread,
        OutputPath = r.OutputPath,
        Overwrite = r.Overwrite,
        ExtraMemory = [.. r.ExtraMemory.Select(m => new MemoryBlock(m.Start, m.Size))],
        Exception = r.Exception is { } e ? new RecordedException(e.Code, e.Flags, e.Address) : null,
        Filter = r.Filter is { } f ? new WriteFilter(f.ExceptionThreadFlags, f.OtherThreadFlags, f.PreferredModuleFlags, f.OtherModuleFlags, f.PreferredModules) : null,
    };

    /// <summary>The request it stands for; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public DumpRequest ToRequest()
    {
        if (Version == 0)
            throw new ArgumentException("dump request: version is missing");
        if (Version != CurrentVersion)
            throw new ArgumentException($"dump request version {Version}: this wer reads version {CurrentVersion}");
        if (ProcessId <= 0)
            throw new ArgumentException("dump request: processId must be a pid");
        if (OutputPath is not { Length: > 0 } output)
            throw new ArgumentException("dump request: outputPath is missing");
        if (OnlyThisThread && ThreadId is null)
            throw new ArgumentException("dump request: onlyThisThread needs a threadId");
        return new DumpRequest(ProcessId, DumpTypeFlags.Validate(Flags), ThreadId, OnlyThisThread, output, Overwrite)
        {
            ExtraMemory = [.. (ExtraMemory ?? []).Select(m => new MemoryRange(m.Address, m.Size))],
            Exception = Exception is { } e ? new ExceptionSnapshot(ThreadId ?? ProcessId, e.Code, e.Flags, e.Address, []) : null,
            Filter = Filter is { } f ? new DumpFilter(f.ExceptionThreadFlags, f.OtherThreadFlags, f.PreferredModuleFlags, f.OtherModuleFlags,
                f.PreferredModules ?? []) : null,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, DumpRequestJson.Default.DumpRequestMessage);

    /// <summary>Reads one message; a message that is not one gives an <see cref="ArgumentException"/> saying why.</summary>
    public static DumpRequestMessage Read(Stream input)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = input.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxBytes)
                throw new ArgumentException($"dump request: more than {MaxBytes} bytes");
        }
        try
        {
            return JsonSerializer.Deserialize(buffer.ToArray(), DumpRequestJson.Default.DumpRequestMessage)
                ?? throw new ArgumentException("dump request: null");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"dump request: not valid JSON ({e.Message})");
        }
    }
}

/// <summary>Source-generated JSON (Native AOT has no reflection-based serializer); unknown fields are refused.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DumpRequestMessage))]
internal sealed partial class DumpRequestJson : JsonSerializerContext;
