using Microsoft.Diagnostics.Runtime;

namespace OpenWer.Analysis.Managed;

/// <summary>ClrMD's frames as ours: only frames of managed methods (the runtime's transition frames repeat a native frame's place).</summary>
public static class ManagedFrameReader
{
    /// <summary>A walk that loops (a corrupt stack) ends here.</summary>
    public const int MaxFrames = 1024;

    public static IReadOnlyList<ManagedFrame> Read(IEnumerable<ClrStackFrame> frames) =>
        frames.Take(MaxFrames).Where(f => f.Kind == ClrStackFrameKind.ManagedMethod && f.Method is not null).Select(Frame).ToList();

    public static ManagedFrame Frame(ClrStackFrame frame)
    {
        var method = frame.Method!;
        int il = frame.InstructionPointer == 0 ? -1 : method.GetILOffset(frame.InstructionPointer);
        return new ManagedFrame(frame.InstructionPointer, frame.StackPointer, MethodName(method), AssemblyFile(method.Type?.Module),
            method.NativeCode, il >= 0 ? il : null);
    }

    /// <summary>Type.Method, the way a .NET stack trace names a frame (the type with its namespace and enclosing types).</summary>
    public static string MethodName(ClrMethod method) => $"{method.Type?.Name ?? "?"}.{method.Name ?? "?"}";

    public static string? AssemblyFile(ClrModule? module) =>
        module?.Name is { Length: > 0 } name ? Path.GetFileName(name) : module?.AssemblyName is { Length: > 0 } assembly ? Path.GetFileName(assembly) : null;
}
