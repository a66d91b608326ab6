namespace OpenWer.Analysis.Tests;

/// <summary>The test classes of .NET dumps share one set of crash dumps (three crashes of ~100 MiB each).</summary>
[CollectionDefinition(ManagedCrashDumps.Collection)]
public sealed class ManagedCrashDumpsCollection : ICollectionFixture<ManagedCrashDumps>;
