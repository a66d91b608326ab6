using Microsoft.Diagnostics.Runtime;

namespace OpenWer.Analysis.Managed;

/// <summary>
/// Managed thread names, by managed thread id: the _name of each System.Threading.Thread object. The runtime holds a
/// handle to each thread's object, so the handle table finds them without walking the whole heap. The OS name (the
/// dump's thread names) is cut to 15 bytes; this one is whole.
/// </summary>
public static class ThreadNameReader
{
    public const string ThreadTypeName = "System.Threading.Thread";

    public static IReadOnlyDictionary<int, string> Read(ClrRuntime runtime)
    {
        var names = new Dictionary<int, string>();
        foreach (var handle in runtime.EnumerateHandles())
        {
            var thread = handle.Object;
            if (thread.Type?.Name != ThreadTypeName)
                continue;
            int id = thread.ReadField<int>("_managedThreadId");
            if (thread.ReadStringField("_name") is { } name)
                names.TryAdd(id, name);
        }
        return names;
    }
}
