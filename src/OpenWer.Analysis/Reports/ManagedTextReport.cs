using System.Globalization;
using OpenWer.Analysis.Managed;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Reports;

/// <summary>The .NET parts of the text report: the runtime and its DAC, the managed exception, thread names, the heap by type.</summary>
public static class ManagedTextReport
{
    /// <summary>The text report shows this many of the heap's types, the largest; the JSON report has them all.</summary>
    public const int HeapTypesShown = 20;

    public static void WriteRuntime(ManagedAnalysis managed, TextWriter o)
    {
        string version = managed.RuntimeVersion ?? "?";
        o.WriteLine($".NET: runtime {version}, {managed.Runtime.Path} build-id {managed.Runtime.CodeId ?? "none"}; " +
            (managed.DacPath is { } dac ? $"DAC {dac}" : "no DAC"));
        if (managed.Problem is { } problem)
            o.WriteLine($"note: {(managed.DacPath is null ? "managed frames are not shown: " : "")}{problem}");
    }

    public static void WriteException(ManagedAnalysis managed, TextWriter o)
    {
        if (managed.Exception is not { } exception)
            return;
        o.WriteLine($"managed exception (thread {managed.ExceptionThreadId}):");
        string indent = "  ";
        for (var e = exception; e is not null; e = e.Inner, indent += "  ")
        {
            o.WriteLine($"{indent}{(e == exception ? "" : "inner: ")}{e.Type}: {e.Message} (HResult 0x{e.HResult:x8})");
            foreach (var f in e.StackTrace)
                o.WriteLine($"{indent}  at {f.Method} in {f.Assembly ?? "?"}{IlOffset(f)}");
        }
    }

    /// <summary>The managed id and name after a thread's OS name: the OS keeps 15 bytes of a name, the Thread object all of it.</summary>
    public static string ThreadName(ThreadReport t) => t.Managed is { } m
        ? $" [managed thread {m.ManagedThreadId}{(m.Name is { } name ? $" \"{name}\"" : "")}]"
        : "";

    public static string Location(StackFrame f) => f.Managed is { } m ? $"{m.Assembly ?? "?"}{IlOffset(m)}" : "?";

    public static void WriteHeap(HeapStatistics heap, TextWriter o)
    {
        o.WriteLine();
        if (heap.Problem is { } problem)
        {
            o.WriteLine($"managed heap: {problem}");
            return;
        }
        o.WriteLine($"managed heap: {heap.ObjectCount.ToString(CultureInfo.InvariantCulture)} objects, {heap.TotalSize.ToString(CultureInfo.InvariantCulture)} bytes, " +
            $"{heap.Types.Count} types{(heap.Types.Count > HeapTypesShown ? $" (the {HeapTypesShown} largest; --json has all)" : "")}:");
        o.WriteLine($"  {"MT",-18} {"Count",10} {"TotalSize",14} Class Name");
        foreach (var t in heap.Types.Take(HeapTypesShown))
            o.WriteLine($"  0x{t.MethodTable:x16} {t.Count,10} {t.TotalSize,14} {t.TypeName}");
    }

    private static string IlOffset(ManagedFrame f) => f.IlOffset is { } il ? $" (IL 0x{il:x})" : "";
}
