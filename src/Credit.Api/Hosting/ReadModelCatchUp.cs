using Coordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Credit.Api.Hosting;

/// <summary>
/// Lists over many accounts are eventually consistent; before answering, wait briefly for the daemon to
/// reach the events already committed, so a controller sees the hold a clerk just caused.
/// </summary>
public sealed class ReadModelCatchUp(Coordinator coordinator)
{
    public async Task Wait(CancellationToken ct)
    {
        try
        {
            await coordinator.DaemonForMainDatabase().WaitForNonStaleData(TimeSpan.FromSeconds(3)).WaitAsync(ct);
        }
        catch (TimeoutException)
        {
            // Answer with what is there: the read is documented as eventually consistent.
        }
    }
}
