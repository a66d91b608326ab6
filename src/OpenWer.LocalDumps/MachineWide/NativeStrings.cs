using System.Runtime.InteropServices;
using System.Text;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// A NULL-terminated vector of NUL-terminated byte strings in native memory, the argv and envp of exec and
/// posix_spawn: the handler passes arguments on as the exact bytes it was given, never through UTF-16.
/// </summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly nint[] _pointers;

    public NativeStrings(IEnumerable<byte[]> strings)
    {
        var list = strings.ToList();
        _pointers = new nint[list.Count + 1];
        for (int i = 0; i < list.Count; i++)
        {
            _pointers[i] = Marshal.AllocHGlobal(list[i].Length + 1);
            var block = new Span<byte>((void*)_pointers[i], list[i].Length + 1);
            list[i].CopyTo(block);
            block[^1] = 0;
        }
    }

    /// <summary>The vector; valid while this is not disposed (the array is pinned by the caller's fixed).</summary>
    public nint[] Vector => _pointers;

    /// <summary>This process's own command line, word by word, as raw bytes (/proc/self/cmdline).</summary>
    public static List<byte[]> OwnCommandLine()
    {
        var words = Capture.Proc.ProcFiles.ReadBytes("/proc/self/cmdline").AsSpan();
        var list = new List<byte[]>();
        while (!words.IsEmpty)
        {
            int end = words.IndexOf((byte)0);
            if (end < 0) end = words.Length;
            list.Add(words[..end].ToArray());
            words = end < words.Length ? words[(end + 1)..] : [];
        }
        return list;
    }

    /// <summary>This process's environment with one more variable set.</summary>
    public static IEnumerable<byte[]> EnvironmentWith(string name, string value)
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            yield return Encoding.UTF8.GetBytes($"{e.Key}={e.Value}");
        yield return Encoding.UTF8.GetBytes($"{name}={value}");
    }

    public void Dispose()
    {
        foreach (var p in _pointers)
            if (p != 0) Marshal.FreeHGlobal(p);
    }
}
