using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenWer.Dumps.Tests.Infrastructure;

/// <summary>
/// Breakpad's minidump_dump of a dump: it parses every stream it knows and prints the raw fields, and logs an
/// ERROR for each stream it cannot parse (or that a dump of any kind must have and lacks).
/// </summary>
public static partial class BreakpadDumpListing
{
    public sealed record Module(string CodeFile, string CodeId, string DebugFile, string DebugId, ulong Base, ulong Size);

    public sealed record Listing(int ExitCode, ulong Flags, IReadOnlyList<uint> Streams, IReadOnlyList<int> ThreadIds, IReadOnlyList<Module> Modules,
        int? ExceptionThreadId, int? ProcessId, IReadOnlyList<string> Errors, string Output)
    {
        private const uint MemoryInfoListStream = 16;
        private const ulong WithFullMemoryInfo = 0x800;

        /// <summary>
        /// No stream failed to parse. minidump_dump also counts a missing MemoryInfoList as an error, which is right
        /// only for a dump whose flags ask for one (MiniDumpWithFullMemoryInfo): that one absence is let through.
        /// </summary>
        public void AssertEveryStreamParsed()
        {
            bool infoListWanted = (Flags & WithFullMemoryInfo) != 0;
            Assert.Equal(infoListWanted, Streams.Contains(MemoryInfoListStream));
            var unexpected = Errors.Where(e => infoListWanted || !e.EndsWith("minidump.GetMemoryInfoList() failed", StringComparison.Ordinal)).ToList();
            Assert.True(unexpected.Count == 0, "minidump_dump: " + string.Join('\n', unexpected));
            Assert.Equal(Errors.Count == 0 ? 0 : 1, ExitCode);
        }
    }

    public static Listing Run(string dump)
    {
        var r = Tool.Run(Breakpad.MinidumpDump, [dump]);
        string o = r.Output;
        var streams = StreamType().Matches(o).Select(m => Convert.ToUInt32(m.Groups[1].Value, 16)).ToList();
        // The thread list comes first; the thread name list repeats the ids (MDRawThreadName), so stop there.
        int names = o.IndexOf("MinidumpThreadNameList", StringComparison.Ordinal);
        int modules = o.IndexOf("MinidumpModuleList", StringComparison.Ordinal);
        int threadsEnd = names >= 0 ? names : modules >= 0 ? modules : o.Length;
        int threadsStart = Math.Max(0, o.IndexOf("MinidumpThreadList", StringComparison.Ordinal));
        var threads = ThreadId().Matches(o[threadsStart..threadsEnd]).Select(m => Convert.ToInt32(m.Groups[1].Value, 16)).ToList();
        var moduleList = ModuleBlock().Matches(o).Select(m => new Module(m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value, m.Groups[6].Value,
            Convert.ToUInt64(m.Groups[1].Value, 16), Convert.ToUInt64(m.Groups[2].Value, 16))).ToList();
        var exception = ExceptionThread().Match(o);
        var pid = ProcessIdLine().Match(o);
        var flags = HeaderFlags().Match(o);
        Assert.True(flags.Success, "minidump_dump printed no header: " + r.All);
        var errors = r.Error.Split('\n').Where(l => l.Contains(": ERROR: ", StringComparison.Ordinal)).ToList();
        return new Listing(r.ExitCode, Convert.ToUInt64(flags.Groups[1].Value, 16), streams, threads, moduleList,
            exception.Success ? Convert.ToInt32(exception.Groups[1].Value, 16) : null,
            pid.Success ? int.Parse(pid.Groups[1].Value, CultureInfo.InvariantCulture) : null, errors, o);
    }

    [GeneratedRegex(@"^  flags\s+= 0x([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex HeaderFlags();

    [GeneratedRegex(@"^  stream_type\s+= 0x([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex StreamType();

    [GeneratedRegex(@"^  thread_id\s+= 0x([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex ThreadId();

    [GeneratedRegex(@"^MDRawModule\n  base_of_image\s+= 0x([0-9a-f]+)\n  size_of_image\s+= 0x([0-9a-f]+)\n(?:.*\n)*?  \(code_file\)\s+= ""(.*)""\n  \(code_identifier\)\s+= ""(.*)""\n(?:.*\n)*?  \(debug_file\)\s+= ""(.*)""\n  \(debug_identifier\)\s+= ""(.*)""", RegexOptions.Multiline)]
    private static partial Regex ModuleBlock();

    [GeneratedRegex(@"^MDException\n  thread_id\s+= 0x([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex ExceptionThread();

    [GeneratedRegex(@"^  process_id\s+= (\d+)", RegexOptions.Multiline)]
    private static partial Regex ProcessIdLine();
}
