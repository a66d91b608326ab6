using OpenWer.Capture.Proc;

namespace OpenWer.Capture.Live;

/// <summary>Says why the kernel refused PTRACE_SEIZE (EPERM) and what to do about it.</summary>
internal static class PtraceDenial
{
    public static string Explain(int pid)
    {
        string status = ProcFiles.ReadText($"/proc/{pid}/status");
        var reasons = new List<string>();
        if (int.TryParse(ProcFiles.StatusValue(status, "TracerPid"), out int tracer) && tracer != 0)
        {
            string tracerName = ProcFiles.ReadText($"/proc/{tracer}/comm").Trim();
            reasons.Add($"another tracer is attached (pid {tracer}{(tracerName.Length > 0 ? $", {tracerName}" : "")}); detach it first (a process can have one tracer)");
        }
        string scope = ProcFiles.ReadText("/proc/sys/kernel/yama/ptrace_scope").Trim();
        if (scope is "1")
            reasons.Add("kernel.yama.ptrace_scope is 1: only a parent may trace its child; run as root, grant CAP_SYS_PTRACE (setcap cap_sys_ptrace+ep wer), or set the sysctl to 0");
        else if (scope is "2")
            reasons.Add("kernel.yama.ptrace_scope is 2: only processes with CAP_SYS_PTRACE may trace; run as root or with that capability");
        else if (scope is "3")
            reasons.Add("kernel.yama.ptrace_scope is 3: ptrace is disabled until reboot");
        var uid = ProcFiles.StatusValue(status, "Uid")?.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
        string myStatus = ProcFiles.ReadText("/proc/self/status");
        var myUid = ProcFiles.StatusValue(myStatus, "Uid")?.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
        if (uid is { Length: > 0 } && myUid is { Length: > 1 } && uid[0] != myUid[1] && myUid[1] != "0")
            reasons.Add($"the process belongs to uid {uid[0]} and we run as uid {myUid[1]}: run as that user or as root (CAP_SYS_PTRACE)");
        if (reasons.Count == 0)
            reasons.Add("the process may be set-id or not dumpable (prctl PR_SET_DUMPABLE 0), or a security module (SELinux, AppArmor, seccomp) forbids it; run as root with CAP_SYS_PTRACE");
        return $"ptrace: operation not permitted on pid {pid}: " + string.Join("; ", reasons);
    }
}
