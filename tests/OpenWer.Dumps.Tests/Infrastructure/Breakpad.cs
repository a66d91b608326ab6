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
    /// Runs dump_syms on a binary and files its output where Breakpad's processor looks for the symbols of a module
    /// whose debug file is called <paramref name="name"/>: <c>folder/NAME/ID/NAME.sym</c>. Returns the MODULE line's id.
    /// </summary>
    public static string WriteSymbols(string folder, string binary, string name)
    {
        var result = Tool.Run(DumpSyms, ["-n", name, binary]);
        Assert.True(result.ExitCode == 0, $"dump_syms {binary} failed: {result.Error}");
        // MODULE <os> <arch> <id> <name>
        var module = result.Output[..result.Output.IndexOf('\n', StringComparison.Ordinal)].Split(' ', 5);
        Assert.True(module.Length == 5 && module[0] == "MODULE", $"dump_syms {binary} wrote no MODULE line");
        string dir = Directory.CreateDirectory(Path.Combine(folder, name, module[3])).FullName;
        File.WriteAllText(Path.Combine(dir, name + ".sym"), result.Output);
        return module[3];
    }

    /// <summary>
    /// This process's own vDSO image, written to a file: the kernel maps the same one into every 64-bit process,
    /// so dump_syms can make its CFI for a walk through another process's vDSO frames (clock_gettime and kin).
    /// </summary>
    public static string OwnVdso(string folder)
    {
        string line = File.ReadLines("/proc/self/maps").First(l => l.EndsWith("[vdso]", StringComparison.Ordinal));
        var range = line[..line.IndexOf(' ', StringComparison.Ordinal)].Split('-').Select(a => Convert.ToInt64(a, 16)).ToArray();
        var image = new byte[range[1] - range[0]];
        using (var mem = new FileStream("/proc/self/mem", FileMode.Open, FileAccess.Read))
        {
            mem.Position = range[0];
            mem.ReadExactly(image);
        }
        string path = Path.Combine(Directory.CreateDirectory(folder).FullName, "vdso.so");
        File.WriteAllBytes(path, image);
        return path;
    }
}
