namespace Credit.Api.Hosting;

/// <summary>
/// Local mode's private PostgreSQL, started again if it dies while the API runs: no supervisor knows it, the API would
/// answer 503 until restarted by hand. Checked every few seconds (<c>Credit:LocalDatabaseCheckSeconds</c>, default 5).
/// </summary>
public sealed class LocalPostgresWatch(EmbeddedPostgres postgres, IConfiguration config, ILogger<LocalPostgresWatch> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(config.GetValue("Credit:LocalDatabaseCheckSeconds", 5.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                if (!postgres.Died) continue;
                log.LogWarning("The private PostgreSQL on port {Port} is not running: starting it again", postgres.Port);
                await postgres.ReviveAsync(stoppingToken);
                log.LogWarning("The private PostgreSQL is running again on port {Port}", postgres.Port);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError("The private PostgreSQL could not be started again (trying again in {Interval}): {Error}", interval, ex.Message);
            }
        }
    }
}
