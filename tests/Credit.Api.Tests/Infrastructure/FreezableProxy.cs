using System.Net;
using System.Net.Sockets;

namespace Credit.Api.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of the test server that can be frozen: connections are still accepted, but no byte goes
/// through either way, as with a database host that hangs (a stopped process, a dead network path).
/// </summary>
public sealed class FreezableProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly string targetHost;
    private readonly int targetPort;
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> connections = [];
    private volatile bool frozen;

    public FreezableProxy(string connectionString)
    {
        var target = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        (targetHost, targetPort) = (target.Host!, target.Port);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;
        _ = Accept();
    }

    /// <summary>The same database, reached through the relay.</summary>
    public string ConnectionString { get; }

    public void Freeze() => frozen = true;

    public void Thaw() => frozen = false;

    private async Task Accept()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch { return; }
            var server = new TcpClient();
            lock (connections) connections.AddRange([client, server]);
            _ = Task.Run(async () =>
            {
                try
                {
                    await server.ConnectAsync(targetHost, targetPort, stop.Token);
                    await Task.WhenAny(Pump(client.GetStream(), server.GetStream()), Pump(server.GetStream(), client.GetStream()));
                }
                catch { /* one side closed */ }
                finally
                {
                    client.Dispose();
                    server.Dispose();
                }
            });
        }
    }

    private async Task Pump(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, stop.Token);
            if (read == 0) return;
            while (frozen) await Task.Delay(50, stop.Token); // held, not dropped: a hang, not a disconnect
            await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        lock (connections) foreach (var c in connections) c.Dispose();
        return ValueTask.CompletedTask;
    }
}
