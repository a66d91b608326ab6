using OpenWer.Format;

namespace OpenWer.LocalDumps.Supervision;

/// <summary>`wer run` options: overrides of the LocalDumps settings for this run, and where the settings are.</summary>
/// <param name="Flags">Dump flags instead of the settings' DumpType.</param>
/// <param name="Folder">Dump folder instead of the settings' DumpFolder.</param>
/// <param name="SettingsPath">The settings file.</param>
/// <param name="OnlyCrashingThread">Write the crashing thread alone (a micro dump: its flags alone do not say so).</param>
public sealed record RunOptions(MinidumpType? Flags, string? Folder, string SettingsPath, bool OnlyCrashingThread = false);
