using Credit.Api.Auth;
using Credit.Domain.Policy;
using Marten;

namespace Credit.Api.Policy;

/// <summary>The company policy as stored for SQL readers; the event per change (the audit trail) is what the API reads.</summary>
public sealed class PolicyDocument
{
    public string Id { get; set; } = PolicyStore.DocumentId;
    public CreditPolicy Policy { get; set; } = CreditPolicy.Default;
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record PolicySet(CreditPolicy Policy);

/// <summary>
/// Keeps the policy in memory: every decision needs it, it rarely changes, and this node is its only
/// writer (Solo mode), so the cache is refreshed on write.
/// </summary>
public sealed class PolicyStore(IDocumentStore store, TimeProvider clock, Hosting.BusinessCalendar calendar, Accounts.SettingsChanges settings)
{
    public const string DocumentId = "company";
    /// <summary>Policy changes live on their own stream; '~' cannot appear in a customer id.</summary>
    public const string StreamId = "~policy";

    private volatile CreditPolicy? _current;

    /// <summary>
    /// The policy in force: its latest recorded change, read from the hash-chained event (the document beside it is for
    /// SQL readers; one edited in the database would otherwise decide every customer's credit unnoticed).
    /// </summary>
    public async ValueTask<CreditPolicy> Current(CancellationToken ct)
    {
        if (_current is { } cached) return cached;
        await using var session = store.QuerySession();
        var latest = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == StreamId).OrderByDescending(e => e.Version).Take(1).ToListAsync(ct);
        return _current = (latest.SingleOrDefault()?.Data as PolicySet)?.Policy ?? CreditPolicy.Default;
    }

    /// <summary>
    /// Stores the policy and answers the one it replaced. Saves take turns with each other (each sees its true predecessor)
    /// and with the commits of decisions: one decided on the policy replaced is decided again.
    /// </summary>
    public Task<CreditPolicy> Save(CreditPolicy policy, Caller caller, CancellationToken ct) => settings.ChangePolicy(async () =>
    {
        var before = await Current(ct);
        // Saved as it stands: nothing changed, nothing recorded (the settings' history lists changes, not saves).
        if (policy.SameAs(before)) return (before, false);
        await using var session = store.LightweightSession();
        session.CorrelationId = caller.CorrelationId;
        session.LastModifiedBy = caller.User;
        session.Store(new PolicyDocument { Policy = policy, UpdatedBy = caller.User, UpdatedAt = clock.GetUtcNow() });
        session.Events.Append(StreamId, new PolicySet(policy));
        // A new notice period moves the due-soon reminders still waiting, in the same transaction: a controller who
        // lengthens it means every open installment, not only those invoiced from now on.
        if (policy.ReminderDaysBefore != before.ReminderDaysBefore)
            Reminders.WaitingReminders.Reschedule(session, policy.ReminderDaysBefore, calendar.Today);
        await session.SaveChangesAsync(ct);
        _current = policy;
        return (before, !policy.DecidesAs(before)); // a report's settings refuse no decision waiting to commit
    }, ct);
}
