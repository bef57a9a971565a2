using Credit.Api.Auth;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using JasperFx;
using Marten;
using Marten.Exceptions;

namespace Credit.Api.Accounts;

/// <summary>
/// The write path of every command: load the account (one row, the inline snapshot), let the domain
/// decide, append its events under the stream's expected version, commit. A racing writer makes the
/// commit fail; we then decide again on fresh state, so two documents can never both use the same credit.
/// </summary>
public sealed class AccountStore(IDocumentStore store, CreditContexts contexts, ILogger<AccountStore> log)
{
    private const int MaxAttempts = 25;

    public async Task<Outcome<T>> Decide<T>(
        string customerId, Caller caller, Func<CreditAccount?, CreditContext, Outcome<T>> decide, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            session.CorrelationId = caller.CorrelationId;
            session.LastModifiedBy = caller.User;
            var stream = await session.Events.FetchForWriting<CreditAccount>(customerId, ct);
            var context = await contexts.For(session, stream.Aggregate, ct);
            var outcome = decide(stream.Aggregate, context);
            if (!outcome.IsAccepted || outcome.Events.Count == 0) return outcome;

            stream.AppendMany(outcome.Events);
            try
            {
                await session.SaveChangesAsync(ct);
                return outcome;
            }
            catch (Exception ex) when (IsConflict(ex) && attempt < MaxAttempts)
            {
                log.LogDebug("Concurrent write on {Customer}, attempt {Attempt}", customerId, attempt);
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), ct);
            }
        }
    }

    /// <summary>For commands on an existing customer the caller may act on.</summary>
    public Task<Outcome<T>> DecideExisting<T>(
        string customerId, Caller caller, Func<CreditAccount, CreditContext, Outcome<T>> decide, CancellationToken ct) =>
        Decide(customerId, caller, (account, context) =>
            account is null ? Outcome<T>.Reject(RejectionKind.NotFound, ErrorCodes.CustomerNotFound)
            : !caller.MayActOn(account.Profile.AssignedTo) ? Outcome<T>.Reject(RejectionKind.Forbidden, "CUSTOMER_NOT_ASSIGNED")
            : decide(account, context), ct);

    /// <summary>The account as it stands now, for reads that must be exact (what-if, documents).</summary>
    public async Task<CreditAccount?> Load(string customerId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<CreditAccount>(customerId, ct);
    }

    public static bool IsConflict(Exception ex) =>
        ex is ConcurrencyException or ExistingStreamIdCollisionException
        || ex.InnerException is ConcurrencyException or ExistingStreamIdCollisionException;
}
