using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenWer.Reporting.Tests;

/// <summary>
/// A real HTTP endpoint on loopback that speaks the collection protocol (docs/report-protocol.md) as the test
/// tells it to: which data it wants, or a failure (status code, garbage, slowness). It records what it got.
/// </summary>
public sealed class TestServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public Uri Address { get; }
    public string Want { get; set; } = "mini";
    public bool WantFiles { get; set; }
    public int? FailStageOneWith { get; set; }
    public bool Garbage { get; set; }
    public TimeSpan Delay { get; set; }
    public int StageOneCalls;
    public List<string> StageOneBodies { get; } = [];
    public List<(string Type, byte[] Bytes)> Dumps { get; } = [];
    public List<string> Files { get; } = [];
    public int Completed;

    /// <summary>An address where nothing listens: port 1 on loopback refuses connections.</summary>
    public static Uri Down { get; } = new("http://127.0.0.1:1/");

    public TestServer()
    {
        // A port found free may be taken by a parallel test before we bind it: try again.
        for (int attempt = 0; ; attempt++)
        {
            Address = new Uri($"http://127.0.0.1:{FreePort()}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(Address.ToString());
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
            }
        }
        _loop = Task.Run(Serve);
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext c)
    {
        try
        {
            using var body = new MemoryStream();
            await c.Request.InputStream.CopyToAsync(body);
            string path = c.Request.Url!.AbsolutePath;
            if (Delay > TimeSpan.Zero)
                await Task.Delay(Delay);
            if (c.Request.HttpMethod == "POST" && path == "/api/v1/reports")
            {
                Interlocked.Increment(ref StageOneCalls);
                lock (StageOneBodies) StageOneBodies.Add(Encoding.UTF8.GetString(body.ToArray()));
                if (FailStageOneWith is int code)
                {
                    c.Response.StatusCode = code;
                }
                else
                {
                    string json = Garbage ? "<html>proxy error</html>" : $"{{\"bucketId\":\"b-42\",\"want\":\"{Want}\",\"wantFiles\":{(WantFiles ? "true" : "false")}}}";
                    var bytes = Encoding.UTF8.GetBytes(json);
                    c.Response.ContentType = "application/json";
                    await c.Response.OutputStream.WriteAsync(bytes);
                }
            }
            else if (c.Request.HttpMethod == "PUT" && path.EndsWith("/dump", StringComparison.Ordinal))
            {
                lock (Dumps) Dumps.Add((c.Request.QueryString["type"] ?? "", body.ToArray()));
            }
            else if (c.Request.HttpMethod == "PUT" && path.Contains("/files/", StringComparison.Ordinal))
            {
                lock (Files) Files.Add(Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]));
            }
            else if (c.Request.HttpMethod == "POST" && path.EndsWith("/complete", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref Completed);
            }
            else
            {
                c.Response.StatusCode = 404;
            }
            c.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
        }
    }

    public void Dispose()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // Closing can fail on a port another test has bound since; the listener is gone either way.
        }
        try { _loop.Wait(2000); } catch (AggregateException) { }
    }
}
