using Microsoft.Diagnostics.Runtime;

namespace OpenWer.Analysis.Managed;

/// <summary>ClrMD's frames as ours: only frames of managed methods (the runtime's transition frames repeat a native frame's place).</summary>
public static class ManagedFrameReader
{
    /// <summary>A walk that loops (a corrupt stack) ends here.</summary>
    public const int MaxFrames = 1024;

    /// <summary>
    /// The frames of managed methods; one whose method the DAC cannot find (its code is not in the dump) is kept as
    /// "?" when <paramref name="keepUnnamed"/> (an exception's trace, where its place counts), else left out and counted.
    /// </summary>
    public static IReadOnlyList<ManagedFrame> Read(IEnumerable<ClrStackFrame> frames, bool keepUnnamed, out int unnamed)
    {
        var list = new List<ManagedFrame>();
        unnamed = 0;
        foreach (var f in frames.Take(MaxFrames).Where(f => f.Kind == ClrStackFrameKind.ManagedMethod))
        {
            if (f.Method is null)
                unnamed++;
            if (f.Method is not null || keepUnnamed)
                list.Add(Frame(f));
        }
        return list;
    }

    public static ManagedFrame Frame(ClrStackFrame frame)
    {
        if (frame.Method is not { } method)
            return new ManagedFrame(frame.InstructionPointer, frame.StackPointer, "?", null, 0, null);
        int il = frame.InstructionPointer == 0 ? -1 : method.GetILOffset(frame.InstructionPointer);
        return new ManagedFrame(frame.InstructionPointer, frame.StackPointer, MethodName(method), AssemblyFile(method.Type?.Module),
            method.NativeCode, il >= 0 ? il : null);
    }

    /// <summary>Type.Method, the way a .NET stack trace names a frame (the type with its namespace and enclosing types).</summary>
    public static string MethodName(ClrMethod method) => $"{method.Type?.Name ?? "?"}.{method.Name ?? "?"}";

    public static string? AssemblyFile(ClrModule? module) =>
        module?.Name is { Length: > 0 } name ? Path.GetFileName(name) : module?.AssemblyName is { Length: > 0 } assembly ? Path.GetFileName(assembly) : null;
}
