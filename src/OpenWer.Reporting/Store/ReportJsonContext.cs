using System.Text.Json.Serialization;
using OpenWer.Reporting.Upload;

namespace OpenWer.Reporting.Store;

/// <summary>Source-generated JSON (Native AOT has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReportManifest))]
[JsonSerializable(typeof(StageOneRequest))]
[JsonSerializable(typeof(StageOneResponse))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
