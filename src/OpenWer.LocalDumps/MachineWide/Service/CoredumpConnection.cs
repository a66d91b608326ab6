using System.Globalization;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace OpenWer.LocalDumps.MachineWide.Service;

/// <summary>
/// One connection the kernel made to the coredump socket for one crashing process: the process's pidfd (the kernel
/// hands it as the peer's, SO_PEERPIDFD, even once the process is reaped), what the kernel says of it, and the core
/// the kernel writes after the request and answer. Closing it lets the kernel finish and the process go.
/// </summary>
public sealed class CoredumpConnection : IDisposable
{
    private const int SolSocket = 1, SoPeerPidFd = 77;
    private readonly Socket _socket;
    private readonly SafeFileHandle _pidFd;

    public PidFdInfo Process { get; }
    public long AcceptedAt { get; } = Environment.TickCount64;

    /// <summary>The core, as the kernel writes it once answered.</summary>
    public Stream Core { get; }

    public int PidFd => (int)_pidFd.DangerousGetHandle();

    private CoredumpConnection(Socket socket, SafeFileHandle pidFd, PidFdInfo process)
    {
        _socket = socket;
        _pidFd = pidFd;
        Process = process;
        Core = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>Takes an accepted connection; throws <see cref="IOException"/> if the peer is not a process dumping core.</summary>
    public static CoredumpConnection From(Socket socket)
    {
        Span<byte> fd = stackalloc byte[4];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerPidFd, fd);
        }
        catch (SocketException e)
        {
            throw new IOException($"no pidfd of the connecting process (SO_PEERPIDFD: {e.Message})");
        }
        if (length != 4)
            throw new IOException("no pidfd of the connecting process (SO_PEERPIDFD)");
        var pidFd = new SafeFileHandle(BitConverter.ToInt32(fd), ownsHandle: true);
        try
        {
            var info = PidFdInfo.Read((int)pidFd.DangerousGetHandle());
            // Only the kernel connects on behalf of a process that is dumping core (root alone can reach the socket, and
            // the kernel marks such a process); anything else is not served.
            if (!info.HasCoredump || (info.CoredumpMask & PidFdInfo.Coredumped) == 0)
                throw new IOException($"pid {info.Pid} connected but is not dumping core");
            return new CoredumpConnection(socket, pidFd, info);
        }
        catch
        {
            pidFd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the kernel's request and answers with <paramref name="answer"/> (<see cref="CoredumpProtocol"/> bits);
    /// throws <see cref="IOException"/> saying what went wrong.
    /// </summary>
    public void Answer(ulong answer)
    {
        _socket.ReceiveTimeout = 5000;
        Span<byte> head = stackalloc byte[CoredumpProtocol.RequestSizeVer0];
        Core.ReadExactly(head);
        var request = CoredumpProtocol.Request.Read(head);
        if (request.Size < CoredumpProtocol.RequestSizeVer0 || request.Size > CoredumpProtocol.RequestSizeMax)
            throw new IOException($"the kernel's coredump request claims {request.Size} bytes");
        Span<byte> rest = stackalloc byte[(int)request.Size - CoredumpProtocol.RequestSizeVer0];
        Core.ReadExactly(rest);
        if (request.AckSize < CoredumpProtocol.AckSize)
            throw new IOException($"the kernel takes a {request.AckSize}-byte answer, less than the {CoredumpProtocol.AckSize} of the first protocol");
        if ((answer & ~request.Mask) != 0)
            throw new IOException($"the kernel does not offer 0x{answer & ~request.Mask:x} (it offers 0x{request.Mask:x})");
        Span<byte> ack = stackalloc byte[CoredumpProtocol.AckSize];
        CoredumpProtocol.WriteAck(ack, answer);
        _socket.Send(ack);
        Span<byte> mark = stackalloc byte[4];
        Core.ReadExactly(mark);
        uint m = BitConverter.ToUInt32(mark);
        if (m != CoredumpProtocol.MarkAccepted)
            throw new IOException($"the kernel refused the answer: {CoredumpProtocol.DescribeMark(m)}");
        _socket.ReceiveTimeout = 0;
    }

    /// <summary>The crash as a pipe handler's arguments would give it, from what the kernel says of the process.
    /// Thread, signal and names come from the core's notes and the proven /proc directory.</summary>
    public CrashHandlerArguments Arguments() => new(
        PidFd.ToString(CultureInfo.InvariantCulture), (int)Process.Pid, 0, Process.RealUid, Process.RealGid, 0,
        DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Process.DumpMode, "", "", "", "", [], [], [], []);

    /// <summary>Closes the connection but keeps the pidfd: the kernel finishes, the process may go.</summary>
    public void LetKernelGo() => _socket.Dispose();

    public void Dispose()
    {
        Core.Dispose();
        _socket.Dispose();
        _pidFd.Dispose();
    }
}
