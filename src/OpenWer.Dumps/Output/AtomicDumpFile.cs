namespace OpenWer.Dumps.Output;

/// <summary>
/// Writes a dump under a hidden temporary name in the destination folder and renames it into place only when
/// complete, so no half-written file is ever left where a good one is expected.
/// </summary>
public static class AtomicDumpFile
{
    /// <summary>Fails early, before the target is stopped, when the output cannot be created.</summary>
    public static void CheckWritable(string path, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? "/";
        if (Directory.Exists(full))
            throw new DumpOutputException($"{full} is a folder; give a file name");
        if (!Directory.Exists(dir))
            throw new DumpOutputException($"cannot write {full}: the folder {dir} does not exist");
        if (!overwrite && File.Exists(full))
            throw new DumpOutputException($"{full} already exists; choose another name, or pass --overwrite");
        string probe = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.probe");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DumpOutputException($"cannot write in {dir} ({Reason(e)}); choose a folder you can write (-o PATH)", e);
        }
    }

    public static T Write<T>(string path, bool overwrite, Func<FileStream, T> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? "/";
        try
        {
            return AtomicFile.Write(full, UnixFileMode.UserRead | UnixFileMode.UserWrite, write, overwrite);
        }
        catch (IOException e) when (e is not DumpOutputException && !overwrite && File.Exists(full))
        {
            throw new DumpOutputException($"{full} appeared while the dump was written; the dump was not written over it", e);
        }
        catch (IOException e) when (e is not DumpOutputException && DiskFull.Is(e))
        {
            throw new DumpOutputException($"the disk holding {dir} is full; free space or write elsewhere (-o PATH). No dump was written", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DumpOutputException($"cannot write in {dir} ({Reason(e)}); choose a folder you can write (-o PATH)", e);
        }
    }

    /// <summary>Why a file could not be made, without the runtime's wording (which names our temporary file).</summary>
    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "no such folder",
        IOException io when io.HResult > 0 => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(io.HResult),
        _ => e.GetType().Name,
    };
}
