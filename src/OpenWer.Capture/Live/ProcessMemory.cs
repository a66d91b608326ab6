using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using OpenWer.Capture.Native;
using OpenWer.Format.Writing;

namespace OpenWer.Capture.Live;

/// <summary>
/// Reads a live process's memory with process_vm_readv (one copy, no file position), falling back to
/// pread on /proc/PID/mem where the syscall is unavailable or refused.
/// </summary>
public sealed class ProcessMemory(int pid) : IMemorySource, IDisposable
{
    private SafeFileHandle? _mem;
    private bool _useProcMem;

    /// <summary>
    /// Reads only through an open /proc/PID/mem: the file is bound to the process's address space when it is opened,
    /// so every read comes from that process (never from one that took its pid later), and the reads need no rights
    /// of their own (the crash handler opens it as root, then writes the dump with the crashing user's rights).
    /// </summary>
    public ProcessMemory(int pid, SafeFileHandle memFile) : this(pid)
    {
        _mem = memFile;
        _useProcMem = true;
    }

    public unsafe int Read(ulong address, Span<byte> destination)
    {
        if (destination.IsEmpty)
            return 0;
        if (!_useProcMem)
        {
            fixed (byte* p = destination)
            {
                var local = new LinuxApi.IoVec { Base = (nint)p, Length = (nuint)destination.Length };
                var remote = new LinuxApi.IoVec { Base = (nint)address, Length = (nuint)destination.Length };
                nint n = LinuxApi.ProcessVmReadv(pid, &local, 1, &remote, 1, 0);
                if (n >= 0)
                    return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxApi.ESRCH)
                    throw new ProcessExitedException(pid);
                if (errno is not (LinuxApi.ENOSYS or LinuxApi.EPERM))
                    return 0; // EFAULT: the first byte is not readable.
                _useProcMem = true;
            }
        }
        return ReadProcMem(address, destination);
    }

    private int ReadProcMem(ulong address, Span<byte> destination)
    {
        try
        {
            _mem ??= File.OpenHandle($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read);
            int done = 0;
            while (done < destination.Length)
            {
                int n = RandomAccess.Read(_mem, destination[done..], (long)address + done);
                if (n <= 0) break;
                done += n;
            }
            return done;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public void Dispose() => _mem?.Dispose();
}
