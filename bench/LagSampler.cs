using System.Diagnostics;
using Npgsql;

namespace CreditLedger.Bench;

/// <summary>
/// Projection lag measured in PostgreSQL itself, every ~100 ms: the age of the oldest event the slowest async
/// projection has not processed yet (0 when every projection has reached the head). Event timestamps and the
/// sample time come from the same server clock, so no clock skew enters.
/// </summary>
public sealed class LagSampler(NpgsqlDataSource db, string schema) : IAsyncDisposable
{
    public sealed record Sample(long At, long Head, long Slowest, double LagSeconds);

    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    // mt_event_progression holds one row per async projection shard plus the daemon's own HighWater* rows.
    private string Query => $"""
        with slowest as (
            select min(last_seq_id) as seq from {schema}.mt_event_progression where name not like 'HighWater%')
        select (select coalesce(max(seq_id), 0) from {schema}.mt_events),
               slowest.seq,
               extract(epoch from clock_timestamp() -
                   (select e.timestamp from {schema}.mt_events e where e.seq_id > slowest.seq order by e.seq_id limit 1))
        from slowest
        """;

    /// <summary>Why sampling stopped early, if it did.</summary>
    public string? Error { get; private set; }

    public void Start() => _loop = Task.Run(async () =>
    {
        try { await LoopAsync(_stop.Token); }
        catch (Exception ex) when (ex is not OperationCanceledException) { Error = ex.Message; }
    });

    private async Task LoopAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(Query, connection);
        await command.PrepareAsync(ct);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct) || reader.IsDBNull(1)) continue; // no projection has run yet
            var sample = new Sample(Stopwatch.GetTimestamp(), reader.GetInt64(0), reader.GetInt64(1),
                reader.IsDBNull(2) ? 0 : Math.Max(0, (double)reader.GetDecimal(2)));
            lock (_samples) _samples.Add(sample);
        } while (await tick.WaitForNextTickAsync(ct));
    }

    public List<double> LagsBetween(long from, long to)
    {
        lock (_samples) return _samples.Where(s => s.At >= from && s.At <= to).Select(s => s.LagSeconds).ToList();
    }

    /// <summary>The event store's head (max seq_id) at the first sample from <paramref name="from"/> on.</summary>
    public long? HeadAt(long from)
    {
        lock (_samples) return _samples.FirstOrDefault(s => s.At >= from)?.Head;
    }

    /// <summary>How long after the load stopped until the slowest projection reached the head.</summary>
    public async Task<TimeSpan?> CatchUpAfterAsync(long loadEnd, TimeSpan limit, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_samples)
            {
                if (_samples.FirstOrDefault(s => s.At >= loadEnd && s.Slowest >= s.Head) is { } caughtUp)
                    return Stopwatch.GetElapsedTime(loadEnd, caughtUp.At);
            }
            if (_loop is { IsCompleted: true }) break; // the sampler died: see Error
            await Task.Delay(100, ct);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; }
            catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
