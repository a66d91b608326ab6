namespace OpenWer.Dumps.Output;

/// <summary>
/// A file written under a hidden temporary name beside its destination and renamed into place only when complete:
/// a reader never sees half of it, and a failed write leaves nothing behind. Dumps, settings, report manifests and
/// the installed handler are all written this way. (The crash handler's dump folder has its own, descriptor-relative
/// writer: it must not follow paths a user could change under it.)
/// </summary>
public static class AtomicFile
{
    /// <param name="mode">The file's permissions, set at creation so it is never readable by more than intended.</param>
    /// <param name="overwrite">Whether an existing file at the destination is replaced; if not, one that appears meanwhile is an error.</param>
    /// <param name="flushToDisk">fsync before the rename, for a file that must survive a power cut (the installed handler).</param>
    public static T Write<T>(string path, UnixFileMode mode, Func<FileStream, T> write, bool overwrite = true, bool flushToDisk = false)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? "/", $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            T result;
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = mode,
            }))
            {
                result = write(stream);
                stream.Flush(flushToDisk);
            }
            // The umask may have narrowed the mode at creation.
            File.SetUnixFileMode(temp, mode);
            if (!overwrite && File.Exists(full))
                throw new IOException($"{full} appeared while it was written; it was not written over");
            File.Move(temp, full, overwrite);
            return result;
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static void Write(string path, UnixFileMode mode, Action<FileStream> write, bool overwrite = true, bool flushToDisk = false) =>
        Write(path, mode, stream => { write(stream); return 0; }, overwrite, flushToDisk);

    public static void WriteAllText(string path, UnixFileMode mode, string text) =>
        Write(path, mode, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });
}
