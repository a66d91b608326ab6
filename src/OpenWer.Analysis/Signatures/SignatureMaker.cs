using System.Globalization;
using OpenWer.Analysis.Walking;

namespace OpenWer.Analysis.Signatures;

/// <summary>
/// Makes a dump's signature from its crashing thread's walk, in the spirit of Socorro's rules: from the top, frames
/// matching the irrelevant list are skipped, a frame matching the prefix list is kept and the next one looked at,
/// and the first other frame is kept and ends the signature. A frame without a symbol is "module@0xoffset" (the
/// offset, unlike the address, is the same in every run); a frame outside every module is "@0xaddress" and, as a prefix
/// frame, is followed by its caller.
/// </summary>
public static class SignatureMaker
{
    /// <summary>At most this many frames in a signature: a stack of prefix frames only ends somewhere.</summary>
    public const int MaxFrames = 10;

    /// <summary>The signature when there is no frame to make it from.</summary>
    public const string NoFrames = "(no frames)";

    public static CrashSignature Make(CrashDump dump, CallStack? crashingStack, SignatureRules rules)
    {
        var frames = crashingStack?.Frames ?? [];
        var kept = new List<string>();
        foreach (var frame in frames)
        {
            string name = Name(frame, rules);
            if (frame.Function is not null && rules.IsIrrelevant(name))
                continue;
            kept.Add(name);
            // A pc outside every module (a call through a bad pointer) says nothing of where: like a prefix frame, the caller follows.
            bool prefix = frame.Function is null ? frame.Module is null : rules.IsPrefix(name);
            if (kept.Count == MaxFrames || !prefix)
                break;
        }
        // A stack of irrelevant frames only (a walk that stopped in abort) still gets a signature: its top frame.
        if (kept.Count == 0 && frames.Count > 0)
            kept.Add(Name(frames[0], rules));
        return new CrashSignature(kept.Count == 0 ? NoFrames : string.Join(" | ", kept), kept, Bucket(dump, frames.FirstOrDefault()));
    }

    private static string Name(StackFrame frame, SignatureRules rules) => frame switch
    {
        { Function: { } function } => rules.Rename(function),
        { Module: { } module } => $"{module.FileName}@0x{frame.ModuleOffset.ToString("x", CultureInfo.InvariantCulture)}",
        _ => $"@0x{frame.Address.ToString("x", CultureInfo.InvariantCulture)}",
    };

    private static CrashBucket Bucket(CrashDump dump, StackFrame? top)
    {
        var main = dump.Modules.Modules.FirstOrDefault();
        // Our dumps (and Breakpad's, Crashpad's) write VS_FIXEDFILEINFO with its signature only: an ELF file has no
        // version resource, so the version is empty unless the dump's producer filled one in.
        return new CrashBucket(main?.FileName ?? "", "", top?.Module?.FileName ?? CrashBucket.UnknownModule, top?.Module?.CodeId,
            dump.Crash?.Signal ?? 0, top is null ? 0 : top.Module is null ? top.Address : top.ModuleOffset);
    }
}
