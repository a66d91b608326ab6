using System.Text.Json;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Reports;

/// <summary>
/// The report as JSON, with the field names of rust-minidump's `minidump-stackwalk --json` where the concept is
/// the same (docs/analyze.md lists them), so tools that read that output read ours.
/// </summary>
public static class JsonReport
{
    public static void Write(DumpReport report, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        var dump = report.Dump;
        w.WriteStartObject();
        w.WriteString("status", "OK");
        if (dump.ProcessId is { } pid) w.WriteNumber("pid", pid); else w.WriteNull("pid");
        w.WriteStartObject("system_info");
        w.WriteString("os", dump.System.Os);
        w.WriteString("os_ver", dump.System.OsVersion);
        w.WriteString("cpu_arch", dump.System.CpuArch);
        w.WriteNumber("cpu_count", dump.System.CpuCount);
        w.WriteEndObject();
        if (dump.Crash is { } crash)
        {
            w.WriteStartObject("crash_info");
            w.WriteString("type", crash.Type);
            w.WriteString("address", Hex(crash.Address));
            w.WriteNumber("crashing_thread", crash.ThreadId);
            w.WriteNull("assertion");
            // Ours: the reason in words and as a kind a program can test.
            w.WriteString("reason", ReasonName(crash.Reason));
            w.WriteString("description", crash.Description);
            // Ours: the text glibc left before abort() (a failed assertion, a malloc or fortify check), where the dump holds it.
            w.WriteString("abort_message", dump.AbortMessage);
            w.WriteNumber("signal", crash.Signal);
            w.WriteNumber("si_code", crash.Code);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("crash_info");
        }
        // Ours: the signatures (docs/analyze.md).
        w.WriteString("signature", report.Signature.Symbolic);
        w.WritePropertyName("bucket");
        WriteBucket(w, report.Signature.Bucket);
        w.WriteNumber("thread_count", report.Threads.Count);
        w.WriteStartArray("threads");
        foreach (var t in report.Threads)
        {
            w.WriteStartObject();
            WriteThread(w, t);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (report.Crashing is { } crashing)
        {
            w.WriteStartObject("crashing_thread");
            w.WriteNumber("threads_index", crashing.Thread.Index);
            w.WriteStartObject("registers");
            foreach (var (name, value) in crashing.Stack.Frames.FirstOrDefault()?.Registers.Known() ?? [])
                w.WriteString(name, Hex(value));
            w.WriteEndObject();
            WriteThread(w, crashing);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("crashing_thread");
        }
        // Ours: the .NET runtime's view (docs/analyze.md), null for a dump of another process.
        ManagedJsonReport.WriteDotNet(w, report.Managed);
        var main = dump.Modules.Modules.FirstOrDefault();
        if (main is not null) w.WriteNumber("main_module", main.Index); else w.WriteNull("main_module");
        w.WriteStartArray("modules");
        foreach (var m in dump.Modules.Modules)
        {
            var image = dump.Modules.Image(m);
            w.WriteStartObject();
            w.WriteString("base_addr", Hex(m.BaseAddress));
            w.WriteString("end_addr", Hex(m.EndAddress));
            w.WriteString("filename", m.FileName);
            w.WriteString("path", m.Path);
            w.WriteString("code_id", m.CodeId);
            w.WriteString("debug_file", m.FileName);
            w.WriteString("debug_id", m.DebugId);
            w.WriteBoolean("missing_symbols", !image.HasSymbols);
            w.WriteBoolean("loaded_symbols", image.HasSymbols);
            w.WriteString("symbol_source", image.SymbolSource);
            // Ours: whether source lines were found for the module's frames, and in which file (or why not).
            w.WriteBoolean("loaded_lines", image.HasLines);
            w.WriteString("line_source", image.LineSource);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>WER's bucket fields: app name and version, faulting module and build-id, exception code, offset in the module.</summary>
    public static void WriteBucket(Utf8JsonWriter w, Signatures.CrashBucket b)
    {
        w.WriteStartObject();
        w.WriteString("app_name", b.AppName);
        w.WriteString("app_version", b.AppVersion);
        w.WriteString("module_name", b.ModuleName);
        w.WriteString("module_build_id", b.ModuleBuildId);
        w.WriteString("exception_code", $"0x{b.ExceptionCode:x8}");
        w.WriteString("module_offset", Hex(b.ModuleOffset));
        w.WriteEndObject();
    }

    private static void WriteThread(Utf8JsonWriter w, ThreadReport t)
    {
        w.WriteNumber("thread_id", t.Thread.ThreadId);
        w.WriteString("thread_name", t.Thread.Name);
        ManagedJsonReport.WriteThreadFields(w, t.Managed);
        w.WriteNumber("frame_count", t.Stack.Frames.Count);
        w.WriteString("walk_end", t.Stack.StopReason);
        w.WriteStartArray("frames");
        foreach (var f in t.Stack.Frames)
        {
            w.WriteStartObject();
            w.WriteNumber("frame", f.Index);
            w.WriteString("trust", TextReport.Trust(f.Trust));
            w.WriteString("offset", Hex(f.Address));
            w.WriteString("module", f.Module?.FileName ?? f.Managed?.Assembly);
            if (f.Module is not null) w.WriteString("module_offset", Hex(f.ModuleOffset)); else w.WriteNull("module_offset");
            w.WriteString("function", f.Function);
            if (f.Function is not null) w.WriteString("function_offset", Hex(f.FunctionOffset)); else w.WriteNull("function_offset");
            if (f.Source is { } source)
            {
                w.WriteString("file", source.File);
                w.WriteNumber("line", source.Line);
            }
            else
            {
                w.WriteNull("file");
                w.WriteNull("line");
            }
            w.WriteBoolean("missing_symbols", f.Function is null);
            ManagedJsonReport.WriteFrameFields(w, f);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static string ReasonName(Crash.CrashReasonKind kind) => kind switch
    {
        Crash.CrashReasonKind.DumpRequested => "dump-requested",
        Crash.CrashReasonKind.NullPointer => "null-pointer",
        Crash.CrashReasonKind.NullFunctionCall => "null-function-call",
        Crash.CrashReasonKind.NonCanonicalAddress => "non-canonical-address",
        Crash.CrashReasonKind.StackOverflow => "stack-overflow",
        Crash.CrashReasonKind.WriteToReadOnlyMemory => "write-to-read-only-memory",
        Crash.CrashReasonKind.ExecuteNonExecutable => "execute-non-executable",
        Crash.CrashReasonKind.UnmappedAddress => "unmapped-address",
        Crash.CrashReasonKind.Abort => "abort",
        Crash.CrashReasonKind.DivideByZero => "divide-by-zero",
        Crash.CrashReasonKind.IllegalInstruction => "illegal-instruction",
        Crash.CrashReasonKind.SentSignal => "sent-signal",
        _ => "unknown",
    };

    private static string Hex(ulong value) => $"0x{value:x16}";
}
