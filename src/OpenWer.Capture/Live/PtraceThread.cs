using System.Collections.Concurrent;

namespace OpenWer.Capture.Live;

/// <summary>
/// One dedicated OS thread on which every ptrace call runs: the kernel ties a tracee to the thread that
/// attached it, and .NET may move async work between threads.
/// </summary>
public sealed class PtraceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public PtraceThread()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "ptrace" };
        _thread.Start();
    }

    private void Run()
    {
        foreach (var item in _work.GetConsumingEnumerable())
            item();
    }

    public T Invoke<T>(Func<T> work)
    {
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId)
            return work();
        T result = default!;
        Exception? error = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try { result = work(); }
            catch (Exception e) { error = e; }
            finally { done.Set(); }
        });
        done.Wait();
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return result;
    }

    public void Invoke(Action work) => Invoke(() => { work(); return 0; });

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }
}
