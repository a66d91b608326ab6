using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Reports;

/// <summary>The human-readable report: the crash and its reason, the crashing thread's frames, the other threads, the modules.</summary>
public static class TextReport
{
    public static void Write(DumpReport report, TextWriter o, bool allThreads)
    {
        var dump = report.Dump;
        o.WriteLine($"dump: {dump.Path}");
        o.WriteLine($"system: {dump.System.Os} {dump.System.OsVersion}, {dump.System.CpuArch}, {dump.System.CpuCount} cpu(s); process {dump.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        if (dump.Crash is { } crash)
        {
            o.WriteLine(crash.IsRequested ? $"crash: none, the dump was requested (thread {crash.ThreadId})"
                : $"crash: {crash.Type} at 0x{crash.Address:x} in thread {crash.ThreadId}");
            o.WriteLine($"reason: {crash.Description}");
            if (report.Dump.AbortMessage is { } message)
                o.WriteLine($"abort message: {OneLine(message)}");
        }
        else
        {
            o.WriteLine("crash: the dump has no exception stream");
        }
        o.WriteLine($"signature: {report.Signature.Symbolic}");
        o.WriteLine($"bucket: {report.Signature.Bucket.Key}");
        if (dump.WalkProblem is { } problem)
            o.WriteLine($"note: {problem}");
        if (report.Managed is { } managed)
        {
            ManagedTextReport.WriteRuntime(managed, o);
            ManagedTextReport.WriteException(managed, o);
        }
        foreach (var t in report.Threads.OrderByDescending(t => t.IsCrashing))
        {
            o.WriteLine();
            string name = (t.Thread.Name is { } n ? $" \"{n}\"" : "") + ManagedTextReport.ThreadName(t);
            if (t.IsCrashing || allThreads)
            {
                string role = !t.IsCrashing ? "" : dump.Crash?.IsRequested == true ? " (the dump's requesting thread)" : " (crashed)";
                o.WriteLine($"thread {t.Thread.ThreadId}{name}{role}: {t.Stack.Frames.Count} frames");
                foreach (var f in t.Stack.Frames)
                    o.WriteLine($"  #{f.Index,-3} 0x{f.Address:x16} {Location(f),-40} {Function(f),-40} {Trust(f.Trust)}{At(f)}");
                o.WriteLine($"  (walk ended at {t.Stack.StopReason})");
            }
            else
            {
                var top = t.Stack.Frames.FirstOrDefault(f => f.Function is not null) ?? t.Stack.Frames.FirstOrDefault();
                o.Write($"thread {t.Thread.ThreadId}{name}: {t.Stack.Frames.Count} frames");
                o.WriteLine(top is null ? "" : $", top {Function(top)} in {top.Module?.FileName ?? "?"}");
            }
        }
        if (report.Managed?.Heap is { } heap)
            ManagedTextReport.WriteHeap(heap, o);
        o.WriteLine();
        o.WriteLine("modules:");
        foreach (var m in dump.Modules.Modules.OrderBy(m => m.BaseAddress))
        {
            var image = dump.Modules.Image(m);
            o.WriteLine($"  0x{m.BaseAddress:x}-0x{m.EndAddress:x} {m.FileName} build-id {m.CodeId ?? "none"}; " +
                (image.HasSymbols ? $"symbols from {image.SymbolSource}" : $"no symbols: {image.SymbolSource}") +
                (image.HasLines ? $"; lines from {image.LineSource}" : $"; no lines: {image.LineSource}"));
        }
    }

    public static string Trust(FrameTrust trust) => trust switch
    {
        FrameTrust.Context => "context",
        FrameTrust.Cfi => "cfi",
        FrameTrust.FramePointer => "frame_pointer",
        FrameTrust.Managed => "managed",
        _ => "scan",
    };

    private static string Location(StackFrame f) => f.Module is { } m ? $"{m.FileName} + 0x{f.ModuleOffset:x}" : ManagedTextReport.Location(f);

    /// <summary>" at FILE:LINE", gdb's way of placing a frame in its source, or nothing.</summary>
    public static string At(StackFrame f) => f.Source is { } s ? $" at {s.File}:{s.Line}" : "";

    private static string Function(StackFrame f) => f.Function is { } name ? $"{name} + 0x{f.FunctionOffset:x}" : "?";

    /// <summary>A message from the process's memory as one printable line: controls as \xNN, lines joined by " / ".</summary>
    private static string OneLine(string text)
    {
        var b = new System.Text.StringBuilder(text.Length);
        foreach (char c in text.Replace("\n", " / ", StringComparison.Ordinal))
            b.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return b.ToString();
    }
}
