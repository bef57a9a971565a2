using Credit.Api.Auth;
using Credit.Api.Holds;
using Credit.Api.Hosting;
using Credit.Api.Reminders;
using Credit.Domain.Reminders;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using JasperFx;
using Marten;
using Marten.Exceptions;
using Wolverine;
using Wolverine.Marten;

namespace Credit.Api.Accounts;

/// <summary>
/// The write path of every command: load the account (one row, the inline snapshot), let the domain
/// decide, append its events under the stream's expected version, commit. A racing writer makes the
/// commit fail; we then decide again on fresh state, so two documents can never both use the same credit.
/// A member of a pooled group also rewrites the pool's document, which serialises the whole pool.
/// </summary>
public sealed class AccountStore(
    IDocumentStore store, CreditContexts contexts, BusinessCalendar calendar, IServiceScopeFactory scopes, ILogger<AccountStore> log)
{
    private const int MaxAttempts = 30;

    public async Task<Outcome<T>> Decide<T>(
        string customerId, Caller caller, Func<CreditAccount?, CreditContext, Outcome<T>> decide, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            session.CorrelationId = caller.CorrelationId;
            session.LastModifiedBy = caller.User;
            var stream = await session.Events.FetchForWriting<CreditAccount>(customerId, ct);
            var (context, pool) = await contexts.For(session, stream.Aggregate, ct);
            // Clerks act only on unassigned customers or those assigned to them, whatever the command.
            var outcome = stream.Aggregate is { } existing && !caller.MayActOn(existing.Profile.AssignedTo)
                ? Outcome<T>.Reject(RejectionKind.Forbidden, ErrorCodes.CustomerNotAssigned)
                : decide(stream.Aggregate, context);
            if (!outcome.IsAccepted || outcome.Events.Count == 0) return outcome;

            stream.AppendMany(outcome.Events);
            if (pool is not null)
            {
                pool.Decisions++;
                session.Store(pool); // optimistic: fails if another member's decision got there first
            }
            // Messages go through Wolverine's outbox, committed with the events. The outbox lives in a scope
            // that must outlast the commit; it is only made when there is something to send.
            var review = NeedsHoldReview(stream.Aggregate, pool, outcome.Events);
            var reminders = ReminderSchedule.For(customerId, stream.Aggregate, outcome.Events, context.Policy.ReminderDaysBefore, context.Today);
            await using var scope = review || reminders.Count > 0 ? scopes.CreateAsyncScope() : (AsyncServiceScope?)null;
            if (scope is { } s)
            {
                var outbox = s.ServiceProvider.GetRequiredService<IMartenOutbox>();
                outbox.Enroll(session);
                if (review) await PublishHoldReview(outbox, stream.Aggregate!, pool);
                await ScheduleReminders(outbox, reminders, context.Today);
            }
            try
            {
                await session.SaveChangesAsync(ct);
                return outcome;
            }
            catch (Exception ex) when (IsConflict(ex) && attempt < MaxAttempts)
            {
                log.LogDebug("Concurrent write on {Customer}, attempt {Attempt}", customerId, attempt);
                await Task.Delay(Random.Shared.Next(1, 3 + 2 * attempt), ct);
            }
        }
    }

    /// <summary>For commands on an existing customer.</summary>
    public Task<Outcome<T>> DecideExisting<T>(
        string customerId, Caller caller, Func<CreditAccount, CreditContext, Outcome<T>> decide, CancellationToken ct) =>
        Decide(customerId, caller, (account, context) =>
            account is null ? Outcome<T>.Reject(RejectionKind.NotFound, ErrorCodes.CustomerNotFound) : decide(account, context), ct);

    /// <summary>The account and its decision context as they stand now, writing nothing (what-if, reads).</summary>
    public async Task<(CreditAccount? Account, CreditContext Context)> Read(string customerId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var account = await session.LoadAsync<CreditAccount>(customerId, ct);
        var (context, _) = await contexts.For(session, account, ct);
        return (account, context);
    }

    /// <summary>The account for a read, or the problem to answer: 404 unknown, 403 not assigned to this clerk.</summary>
    public async Task<(CreditAccount? Account, IResult? Problem)> LoadFor(string customerId, Caller caller, CancellationToken ct)
    {
        var account = await Load(customerId, ct);
        if (account is null) return (null, Errors.Problems.Result(404, ErrorCodes.CustomerNotFound));
        if (!caller.MayActOn(account.Profile.AssignedTo)) return (null, Errors.Problems.Result(403, ErrorCodes.CustomerNotAssigned));
        return (account, null);
    }

    public async Task<CreditAccount?> Load(string customerId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<CreditAccount>(customerId, ct);
    }

    /// <summary>
    /// When the position improves, held orders may now pass: a message (in the same transaction, via
    /// Wolverine's outbox) asks for them to be re-checked, for the customer or the whole pool.
    /// </summary>
    private static bool NeedsHoldReview(CreditAccount? before, Groups.CustomerGroup? pool, IReadOnlyList<object> events) =>
        before is not null && events.Any(AccountDecisions.Improves)
        && (pool is not null || before.Orders.Values.Any(o => o.Status == OrderStatus.Held));

    private static async Task PublishHoldReview(IMartenOutbox outbox, CreditAccount before, Groups.CustomerGroup? pool)
    {
        if (pool is not null) await outbox.PublishAsync(new ReviewGroupHolds(pool.Id));
        else await outbox.PublishAsync(new ReviewHolds(before.Id));
    }

    /// <summary>Durable scheduled messages: they wait in PostgreSQL and survive restarts. Due today: sent now.</summary>
    private async Task ScheduleReminders(IMartenOutbox outbox, IReadOnlyList<Reminder> reminders, DateOnly today)
    {
        foreach (var reminder in reminders)
        {
            var message = new SendReminder(reminder);
            if (reminder.SendOn <= today) await outbox.PublishAsync(message);
            else await outbox.ScheduleAsync(message, calendar.MorningOf(reminder.SendOn));
        }
    }

    public static bool IsConflict(Exception ex) =>
        ex is ConcurrencyException or ExistingStreamIdCollisionException
        || ex.InnerException is ConcurrencyException or ExistingStreamIdCollisionException;
}
