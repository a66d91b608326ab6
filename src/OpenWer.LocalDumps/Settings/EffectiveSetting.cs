namespace OpenWer.LocalDumps.Settings;

/// <summary>A value in force, where it came from (default, global, or the application's section), and what was wrong with a value that was set but not used.</summary>
public sealed record EffectiveSetting<T>(T Value, string Written, string Source, string? Problem);
