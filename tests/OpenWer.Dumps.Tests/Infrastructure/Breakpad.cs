namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// Breakpad's processor and symbol tools, an independent reader of our dumps: set up by scripts/install-breakpad
/// (run by the test command) in .tools/breakpad/bin of the checkout.
/// </summary>
public static class Breakpad
{
    public static string Stackwalk => ToolPath("minidump_stackwalk");
    public static string MinidumpDump => ToolPath("minidump_dump");
    public static string DumpSyms => ToolPath("dump_syms");
    public static string MinidumpToCore => ToolPath("minidump-2-core");

    private static string ToolPath(string name)
    {
        string path = Path.Combine(RepoPaths.Root, ".tools/breakpad/bin", name);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: run scripts/install-breakpad (the test command does)");
        return path;
    }

    /// <summary>The MODULE line's debug id and name, and the INFO CODE_ID, that dump_syms reads from a file's headers.</summary>
    public sealed record ModuleHeader(string DebugId, string Name, string? CodeId);

    public static ModuleHeader Header(string binary)
    {
        var result = Tool.Run(DumpSyms, ["-i", binary]);
        Assert.True(result.ExitCode == 0, $"dump_syms -i {binary} failed: {result.All}");
        var lines = result.Output.Split('\n');
        // MODULE <os> <arch> <id> <name>
        var module = lines.First(l => l.StartsWith("MODULE ", StringComparison.Ordinal)).Split(' ', 5);
        string? codeId = lines.FirstOrDefault(l => l.StartsWith("INFO CODE_ID ", StringComparison.Ordinal))?["INFO CODE_ID ".Length..].Trim();
        return new ModuleHeader(module[3], module[4].Trim(), codeId);
    }

    /// <summary>
    /// Runs dump_syms on each binary and lays its output out as Breakpad's processor looks symbols up,
    /// <c>folder/NAME/ID/NAME.sym</c>; returns the folder.
    /// </summary>
    public static string WriteSymbols(string folder, IEnumerable<string> binaries)
    {
        foreach (string binary in binaries)
        {
            var result = Tool.Run(DumpSyms, [binary]);
            Assert.True(result.ExitCode == 0, $"dump_syms {binary} failed: {result.Error}");
            var module = result.Output[..result.Output.IndexOf('\n', StringComparison.Ordinal)].Split(' ', 5);
            Assert.True(module.Length == 5 && module[0] == "MODULE", $"dump_syms {binary} wrote no MODULE line");
            string name = module[4].Trim();
            string dir = Directory.CreateDirectory(Path.Combine(folder, name, module[3])).FullName;
            File.WriteAllText(Path.Combine(dir, name + ".sym"), result.Output);
        }
        return folder;
    }
}
