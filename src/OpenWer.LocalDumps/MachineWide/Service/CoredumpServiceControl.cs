using System.Diagnostics;

namespace OpenWer.LocalDumps.MachineWide.Service;

/// <summary>Starts, finds and stops the coredump service for `wer localdumps enable|disable|show`.</summary>
public static class CoredumpServiceControl
{
    /// <summary>
    /// Starts <paramref name="handlerPath"/> `localdumps serve` on its own and waits until it serves (core_pattern is
    /// its socket); returns its pid. Throws <see cref="InvalidOperationException"/> saying why it did not start.
    /// </summary>
    public static int Start(string handlerPath, TimeSpan wait)
    {
        var psi = new ProcessStartInfo(handlerPath, ["localdumps", "serve"])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        // The environment of whoever ran enable (LD_*, DOTNET_*, a PATH of their own) is not the service's.
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        using var service = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {handlerPath}");
        service.StandardInput.Close();
        var error = service.StandardError.ReadToEndAsync();
        var registration = new CorePatternRegistration();
        var deadline = DateTime.UtcNow + wait;
        while (registration.CurrentPattern != CoredumpService.Pattern)
        {
            if (service.WaitForExit(20))
                throw new InvalidOperationException($"the coredump service did not start: {(error.Wait(1000) ? error.Result.Trim() : "")} (exit code {service.ExitCode})");
            if (DateTime.UtcNow > deadline)
            {
                service.Kill();
                throw new InvalidOperationException($"the coredump service did not serve within {wait.TotalSeconds:0} s; stopped it");
            }
        }
        return service.Id;
    }

    /// <summary>The running service's pid, or null.</summary>
    public static int? Running()
    {
        if (CoredumpService.ReadPid() is not { } pid)
            return null;
        try
        {
            var words = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return words.Contains("localdumps") && words.Contains("serve") ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stops the running service, if any (it hands core_pattern back to the pipe handler first); false if none ran.</summary>
    public static bool Stop(TimeSpan wait)
    {
        if (Running() is not { } pid)
            return false;
        Native.LibC.Kill(pid, 15);
        var deadline = DateTime.UtcNow + wait;
        while (Directory.Exists($"/proc/{pid}") && Running() == pid)
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the coredump service (pid {pid}) did not stop within {wait.TotalSeconds:0} s");
            Thread.Sleep(20);
        }
        return true;
    }
}
