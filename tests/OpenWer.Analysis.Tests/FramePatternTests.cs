using OpenWer.Analysis.Signatures;

namespace OpenWer.Analysis.Tests;

/// <summary>The rule files' patterns: '*' matches any run of characters (none included), everything else itself, the whole name.</summary>
public sealed class FramePatternTests
{
    [Theory]
    [InlineData("abort", "abort", true)]
    [InlineData("abort", "abort2", false)]
    [InlineData("abort", "call_abort", false)]
    [InlineData("__pthread_kill*", "__pthread_kill_implementation", true)]
    [InlineData("__pthread_kill*", "__pthread_kill", true)]
    [InlineData("__pthread_kill*", "pthread_kill", false)]
    [InlineData("*_avx2", "__strlen_avx2", true)]
    [InlineData("__*_avx2", "__strlen_evex", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("operator new*", "operator new[](unsigned long)", true)]
    public void APatternMatchesTheWholeName(string pattern, string name, bool matches) =>
        Assert.Equal(matches, new FramePattern(pattern).Matches(name));

    [Fact]
    public void TheBuiltInRulesAreEmbeddedAndCommentsAreNotPatterns()
    {
        var rules = SignatureRules.BuiltIn;
        Assert.Equal("built-in", rules.Source);
        Assert.True(rules.IsIrrelevant("abort"));
        Assert.True(rules.IsIrrelevant("__pthread_kill_implementation"));
        Assert.False(rules.IsIrrelevant("main"));
        Assert.True(rules.IsPrefix("strlen"));
        Assert.Equal("strlen", rules.Rename("__strlen_evex"));
        Assert.Equal("main", rules.Rename("main"));
        // Every pattern of the source files, and no comment, is in the embedded lists.
        string folder = Path.Combine(Dumps.Tests.Infrastructure.RepoPaths.Root, "src/OpenWer.Analysis/Signatures");
        var irrelevant = File.ReadAllLines(Path.Combine(folder, "irrelevant.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(irrelevant, rules.Irrelevant.Select(p => p.Text));
        Assert.DoesNotContain(rules.Prefix, p => p.Text.Contains('#', StringComparison.Ordinal));
    }
}
