namespace OpenWer.LocalDumps.Settings;

/// <summary>
/// One section of the settings file: the global LocalDumps key (<see cref="Application"/> null) or an
/// application's subkey. Values are kept as written, so a bad one can be reported, not lost.
/// </summary>
public sealed class SettingsSection(string? application)
{
    public string? Application { get; } = application;
    public Dictionary<LocalDumpsValue, string> Values { get; } = [];
}
