using OpenWer.Dumps.Cores;
using OpenWer.Dumps.Refilter;
using OpenWer.Format;

namespace OpenWer.Cli;

/// <summary>`wer convert DUMP --to core`: a minidump into an ELF core file that gdb opens (docs/convert.md).</summary>
public static class ConvertToCoreCommand
{
    public static int Run(string dumpPath, string output, bool overwrite)
    {
        // A minidump that lies may be found out when it is opened or only when its memory is read.
        int NotAMinidump(MinidumpFormatException e) =>
            CommandFailure.Fail("convert", ExitCodes.Failure, $"{dumpPath} is not a readable minidump: {e.Message}; no core was written");

        MinidumpSource source;
        try
        {
            source = MinidumpSource.Open(dumpPath);
        }
        catch (MinidumpFormatException e)
        {
            return NotAMinidump(e);
        }
        catch (Exception e) when (CommandFailure.IsExpected(e))
        {
            return CommandFailure.Report(new("convert", Input: dumpPath, Outcome: "no core was written", WhenDenied: "run as a user who may read it"), e);
        }
        using (source)
        {
            try
            {
                var snapshot = source.Snapshot;
                var result = ElfCoreWriter.WriteFile(snapshot, source.HeldMemory(), output, overwrite);
                Console.WriteLine($"wrote {result.Path}: {result.Size / 1048576.0:F1} MiB, {result.ThreadCount} threads, {result.LoadCount} segments " +
                    $"({result.HeldBytes / 1048576.0:F1} MiB of memory), {result.MappedFileCount} mapped files, from the dump of process {snapshot.ProcessId}");
                if (result.LinkMapRewritten)
                    Console.Error.WriteLine("note: the dump does not hold the dynamic linker's list of libraries; the core has it rebuilt from LINUX_DSO_DEBUG");
                return ExitCodes.Success;
            }
            catch (MinidumpFormatException e)
            {
                return NotAMinidump(e);
            }
            catch (Exception e) when (CommandFailure.IsExpected(e))
            {
                return CommandFailure.Report(new("convert", Output: output, Outcome: "no core was written"), e);
            }
        }
    }
}
