namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>One native target shared by the tests of a class.</summary>
public sealed class TargetFixture : IDisposable
{
    public NativeTarget Target { get; } = new(threads: 5);

    public void Dispose() => Target.Dispose();
}
