using OpenWer.Dumps.Tests.Infrastructure;

namespace OpenWer.LocalDumps.Tests;

/// <summary>tests/fixtures/native/crasher.c, built with cc once per run.</summary>
public static class Crasher
{
    private static readonly Lazy<string> Binary = new(() =>
        FixtureCompiler.Build("crasher.c", Path.Combine(FixtureCompiler.Folder("openwer-crasher"), "crasher"), FixtureCompiler.DebugThreaded));

    public static string Path_ => Binary.Value;
}
