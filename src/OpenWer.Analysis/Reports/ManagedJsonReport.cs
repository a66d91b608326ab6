using System.Text.Json;
using OpenWer.Analysis.Managed;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Reports;

/// <summary>The .NET parts of the JSON report (docs/analyze.md): the "dotnet" object, managed thread fields and managed frame fields.</summary>
public static class ManagedJsonReport
{
    public static void WriteDotNet(Utf8JsonWriter w, ManagedAnalysis? managed)
    {
        if (managed is null)
        {
            w.WriteNull("dotnet");
            return;
        }
        w.WriteStartObject("dotnet");
        w.WriteString("runtime", managed.Runtime.Path);
        w.WriteString("runtime_version", managed.RuntimeVersion);
        w.WriteString("runtime_build_id", managed.Runtime.CodeId);
        w.WriteString("dac", managed.DacPath);
        w.WriteString("problem", managed.Problem);
        if (managed.ExceptionThreadId is { } tid) w.WriteNumber("exception_thread", tid); else w.WriteNull("exception_thread");
        w.WritePropertyName("exception");
        WriteException(w, managed.Exception);
        if (managed.Heap is { } heap)
        {
            w.WriteStartObject("heap");
            w.WriteString("problem", heap.Problem);
            w.WriteNumber("object_count", heap.ObjectCount);
            w.WriteNumber("total_size", heap.TotalSize);
            w.WriteStartArray("types");
            foreach (var t in heap.Types)
            {
                w.WriteStartObject();
                w.WriteString("type", t.TypeName);
                w.WriteString("method_table", $"0x{t.MethodTable:x16}");
                w.WriteNumber("count", t.Count);
                w.WriteNumber("total_size", t.TotalSize);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("heap");
        }
        w.WriteEndObject();
    }

    public static void WriteThreadFields(Utf8JsonWriter w, ManagedThread? managed)
    {
        if (managed is null)
        {
            w.WriteNull("managed_thread_id");
            w.WriteNull("managed_thread_name");
            return;
        }
        w.WriteNumber("managed_thread_id", managed.ManagedThreadId);
        w.WriteString("managed_thread_name", managed.Name);
    }

    /// <summary>A frame's managed fields: the assembly and IL offset of a managed frame, null for a native one.</summary>
    public static void WriteFrameFields(Utf8JsonWriter w, StackFrame f)
    {
        w.WriteString("assembly", f.Managed?.Assembly);
        if (f.Managed?.IlOffset is { } il) w.WriteNumber("il_offset", il); else w.WriteNull("il_offset");
    }

    private static void WriteException(Utf8JsonWriter w, ManagedException? e, int depth = 0)
    {
        if (e is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteString("type", e.Type);
        w.WriteString("message", e.Message);
        w.WriteString("hresult", $"0x{e.HResult:x8}");
        w.WriteString("address", $"0x{e.Address:x16}");
        w.WriteStartArray("stack_trace");
        foreach (var f in e.StackTrace)
        {
            w.WriteStartObject();
            w.WriteString("function", f.Method);
            w.WriteString("assembly", f.Assembly);
            w.WriteString("offset", $"0x{f.InstructionPointer:x16}");
            if (f.IlOffset is { } il) w.WriteNumber("il_offset", il); else w.WriteNull("il_offset");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WritePropertyName("inner");
        WriteException(w, e.Inner, depth + 1);
        w.WriteEndObject();
    }
}
