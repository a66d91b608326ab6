namespace OpenWer.LocalDumps.MachineWide.Service;

/// <summary>
/// The coredump service's crashes waiting and at work, kept fair between users: at most <c>perUser</c> of one user's
/// crashes are at work at once (their collections count until they really end, even past their time limit), so the
/// next crash to be taken is the oldest one whose user is under that share; each user has a bounded number waiting,
/// and all users together a bounded number, so no one's crashes can take the service's memory or descriptors.
/// </summary>
public sealed class CrashQueue(int waitingPerUser, int waitingInAll)
{
    private readonly object _gate = new();
    private readonly LinkedList<(uint Uid, Action Work)> _waiting = [];
    private readonly Dictionary<uint, int> _atWork = [];
    private readonly Dictionary<uint, int> _waitingOf = [];
    private bool _closed;

    /// <summary>Adds a crash; false when its user already has <c>waitingPerUser</c> waiting or the queue is full.</summary>
    public bool TryAdd(uint uid, Action work, out string? why)
    {
        lock (_gate)
        {
            why = _waitingOf.GetValueOrDefault(uid) >= waitingPerUser
                ? $"{waitingPerUser} crashes of uid {uid} are already waiting for the service"
                : _waiting.Count >= waitingInAll ? $"{waitingInAll} crashes are already waiting for the service" : null;
            if (why is not null || _closed)
                return false;
            _waiting.AddLast((uid, work));
            _waitingOf[uid] = _waitingOf.GetValueOrDefault(uid) + 1;
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>
    /// A worker's next crash: the oldest whose user is under <paramref name="perUser"/> at work. It counts as at work for
    /// its user until <see cref="Ended"/>. Null once the queue is closed and empty.
    /// </summary>
    public (uint Uid, Action Work)? Take(Func<uint, int> perUser)
    {
        lock (_gate)
        {
            while (true)
            {
                for (var node = _waiting.First; node is not null; node = node.Next)
                {
                    uint uid = node.Value.Uid;
                    if (_atWork.GetValueOrDefault(uid) >= perUser(uid))
                        continue;
                    _waiting.Remove(node);
                    _waitingOf[uid]--;
                    _atWork[uid] = _atWork.GetValueOrDefault(uid) + 1;
                    return node.Value;
                }
                if (_closed && _waiting.Count == 0)
                    return null;
                // Woken by a new crash or a finished one; the timeout re-reads a share that changed in the settings.
                Monitor.Wait(_gate, 1000);
            }
        }
    }

    /// <summary>A crash's collection really ended: its user's share has room again.</summary>
    public void Ended(uint uid)
    {
        lock (_gate)
        {
            _atWork[uid]--;
            if (_atWork[uid] == 0)
                _atWork.Remove(uid);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>No more crashes are added; workers finish what waits and then stop.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
