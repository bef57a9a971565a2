using Credit.Api.Auth;
using Credit.Api.Holds;
using Credit.Api.Hosting;
using Credit.Api.Reminders;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Reminders;
using JasperFx;
using Marten.Exceptions;
using Wolverine;
using Wolverine.Marten;

namespace Credit.Api.Accounts;

/// <summary>The account and its decision context, held under the customer's gate until disposed.</summary>
public sealed class AccountRead(CreditAccount? account, CreditContext context, SemaphoreSlim gate) : IAsyncDisposable
{
    public CreditAccount? Account { get; } = account;
    public CreditContext Context { get; } = context;

    public void Deconstruct(out CreditAccount? account, out CreditContext context) => (account, context) = (Account, Context);

    public ValueTask DisposeAsync()
    {
        gate.Release();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The write path of every command: under the customer's gate (and its pool's, for a shared pool), take the
/// account from memory, let the domain decide, and hand the events to the group commit, appended under the
/// version they were decided on; answer once committed. A conflicting writer elsewhere makes the commit fail:
/// the account is reloaded and the command decided again, so two documents can never both use the same credit.
/// </summary>
public sealed class AccountStore(
    AccountCache cache, GroupCache groups, GroupCommit writer, CreditContexts contexts, SettingsChanges settings, Checkpoints checkpoints,
    PoolReviews reviews, IConfiguration config, ILogger<AccountStore> log)
{
    private const int MaxAttempts = 30;

    /// <summary>Reminders of documents entered after their date wait for the next morning (for merchants who enter paper
    /// documents in batches: the receipts follow the invoices).</summary>
    private readonly bool _backdatedNextMorning = config.GetValue("Credit:Reminders:BackdatedNextMorning", false);

    /// <summary>
    /// Decides on the account under its gate (and its pool's) and commits the events. <paramref name="consequences"/>:
    /// what the decision entails, decided on the account as it will stand after it (a copy), committed with it.
    /// </summary>
    public Task<Outcome<T>> Decide<T>(
        string customerId, Caller caller, Func<CreditAccount?, CreditContext, Outcome<T>> decide, CancellationToken ct,
        Func<Entailment, IReadOnlyList<object>>? consequences = null) =>
        Decide(customerId, caller, decide, ct, consequences, heldPool: null, elsewhere: default!);

    /// <summary>
    /// Decides on a member of a pool whose gate the caller already holds (a review pass over the pool's holds, which
    /// otherwise queued behind every member's writer once per held order and timed out under load). A customer no longer
    /// in that pool is not decided here: <paramref name="elsewhere"/> is the answer (taking its new pool's gate while holding
    /// this one could deadlock with a pass over that pool).
    /// </summary>
    public Task<Outcome<T>> DecideInHeldPool<T>(
        string poolId, string customerId, Caller caller, Func<CreditAccount?, CreditContext, Outcome<T>> decide, T elsewhere,
        CancellationToken ct) =>
        Decide(customerId, caller, decide, ct, consequences: null, heldPool: poolId, elsewhere);

    private async Task<Outcome<T>> Decide<T>(
        string customerId, Caller caller, Func<CreditAccount?, CreditContext, Outcome<T>> decide, CancellationToken ct,
        Func<Entailment, IReadOnlyList<object>>? consequences, string? heldPool, T elsewhere)
    {
        string? joining = null; // the shared pool a previous attempt found the decision moves the customer into
        for (var attempt = 1; ; attempt++)
        {
            var (gatedPool, poolGate) = await PoolGateOf(await cache.Loaded(customerId, ct), ct);
            if (heldPool is not null)
            {
                if (gatedPool != heldPool) return Outcome<T>.Repeat(elsewhere);
                poolGate = null; // the caller's, held for us
            }
            var gates = Gates(gatedPool, poolGate, joining);
            foreach (var gate in gates) await gate.WaitAsync(ct); // in the pools' id order: two moves the other way cannot deadlock
            try
            {
                var entry = await cache.Enter(customerId, ct); // reloaded if a conflict invalidated it meanwhile
                try
                {
                    var before = entry.Account;
                    var read = settings.Read(before?.Profile.GroupId); // before the policy and the group are read
                    var (context, pool) = await contexts.For(before, ct);
                    // Joined, left or changed pools meanwhile: take the right gates. Decided under another pool's gate, the
                    // order raced that pool's members and failed on its record's version (a 409 to a controller's group change).
                    if (pool?.Id != gatedPool) continue;

                    // Clerks change only unassigned customers or those assigned to them, whatever the command and other roles.
                    var outcome = before is not null && !caller.MayWrite(before.Profile.AssignedTo)
                        ? Outcome<T>.Reject(RejectionKind.Forbidden, ErrorCodes.CustomerNotAssigned)
                        : decide(before, context);
                    if (!outcome.IsAccepted || outcome.Events.Count == 0) return outcome;
                    if (consequences is not null && before is not null) outcome = WithConsequences(before, context, outcome, consequences);

                    if (pool is not null) pool.Decisions++;
                    // A pool review request this decision may queue: numbered, or none while one queued has not begun.
                    var review = pool is null || reviews.PassWaiting(pool.Id) ? 0 : reviews.Next(pool.Id);
                    var move = Move(before?.Profile.GroupId, outcome.Events);
                    var (joined, joiningRead) = await PoolJoined(move, read, ct);
                    // Moving into a pool without its gate: decided again holding it too. A member's grant decided meanwhile
                    // without the newcomer's debt failed on the pool record's version again and again under a busy pool,
                    // until the move gave up (409).
                    if (joined is not null && heldPool is null && joined.Id != joining)
                    {
                        joining = joined.Id;
                        continue;
                    }
                    try
                    {
                        var (messages, waiting, reviewAsked) = Sends(customerId, caller, before, pool, outcome.Events, context,
                            _backdatedNextMorning, review, before is { Exposure: < 0m } ? joined?.Id : null);
                        await Commit(new CommitRequest(customerId, entry.Version, outcome.Events, caller, pool, messages, waiting,
                            joiningRead, joined, move));
                        if (reviewAsked) reviews.Committed(pool!.Id, review);
                    }
                    catch (SettingsChangedException) when (attempt < MaxAttempts)
                    {
                        // Nothing was written and the account is as it was: decided again on the new policy or group.
                        log.LogDebug("Settings changed under a decision on {Customer}, attempt {Attempt}", customerId, attempt);
                        continue;
                    }
                    catch (Exception ex) when (IsConflict(ex) && attempt < MaxAttempts)
                    {
                        log.LogDebug("Concurrent write on {Customer}, attempt {Attempt}", customerId, attempt);
                        AccountCache.Invalidate(entry);
                        await Task.Delay(Random.Shared.Next(1, 3 + 2 * attempt), ct);
                        continue;
                    }

                    var versionBefore = entry.Version;
                    cache.Apply(entry, outcome.Events);
                    if (versionBefore / Checkpoints.Interval != entry.Version / Checkpoints.Interval)
                        Checkpoint(entry);
                    return outcome;
                }
                finally
                {
                    entry.Gate.Release();
                }
            }
            finally
            {
                foreach (var gate in gates) gate.Release();
            }
        }
    }

    /// <summary>Commits the decision; one that failed may have committed all the same, or left the pool records it rewrote
    /// with a version never stored (every later pooled decision would fail on it): what it touched is read again.</summary>
    private async Task Commit(CommitRequest request)
    {
        try
        {
            await writer.Commit(request);
        }
        catch (Exception ex) when (ex is not SettingsChangedException)
        {
            if (request.Pool is { } pool) groups.Forget(pool.Id);
            if (request.JoinedPool is { } joined) groups.Forget(joined.Id);
            if (request.Move is var (from, to))
                foreach (var moved in new[] { from, to }.OfType<string>()) groups.Forget(moved);
            throw;
        }
    }

    /// <summary>The groups these events move the customer between; null when they leave it where it was.</summary>
    private static (string? From, string? To)? Move(string? groupBefore, IReadOnlyList<object> events) =>
        GroupAfter(groupBefore, events) is var after && after != groupBefore ? (groupBefore, after) : null;

    /// <summary>The customer's group once these events are applied (a new customer's from its opening).</summary>
    private static string? GroupAfter(string? groupBefore, IReadOnlyList<object> events)
    {
        var group = groupBefore;
        foreach (var e in events)
            if (e is AccountOpened opened) group = opened.Profile.GroupId;
            else if (e is ProfileUpdated updated) group = updated.Profile.GroupId;
        return group;
    }

    /// <summary>The pool gates a decision takes: its customer's pool's and the one it moves the customer into, in id order.</summary>
    private SemaphoreSlim[] Gates(string? gatedPool, SemaphoreSlim? poolGate, string? joining)
    {
        if (joining is null || joining == gatedPool) return poolGate is null ? [] : [poolGate];
        if (poolGate is null) return [cache.PoolGate(joining)];
        return string.CompareOrdinal(gatedPool, joining) < 0 ? [poolGate, cache.PoolGate(joining)] : [cache.PoolGate(joining), poolGate];
    }

    /// <summary>For commands on an existing customer.</summary>
    public Task<Outcome<T>> DecideExisting<T>(
        string customerId, Caller caller, Func<CreditAccount, CreditContext, Outcome<T>> decide, CancellationToken ct,
        Func<Entailment, IReadOnlyList<object>>? consequences = null) =>
        Decide(customerId, caller, (account, context) =>
            account is null ? Outcome<T>.Reject(RejectionKind.NotFound, ErrorCodes.CustomerNotFound) : decide(account, context), ct, consequences);

    /// <summary>
    /// The outcome with what it entails appended: decided on a copy of the account with the outcome's events applied (the
    /// cached account changes only once they are committed), its pool's exposure moved by as much as the account's.
    /// </summary>
    private static Outcome<T> WithConsequences<T>(CreditAccount before, CreditContext context, Outcome<T> outcome,
        Func<Entailment, IReadOnlyList<object>> consequences)
    {
        var after = AccountImage.Read(AccountImage.Write(before))!;
        foreach (var e in outcome.Events) after = CreditAccount.Fold(after, e)!;
        var entailed = consequences(new Entailment(before, context, after,
            context.WithExposureChange(after.Exposure - before.Exposure, after.Currency)));
        return entailed.Count == 0 ? outcome : outcome with { Events = [.. outcome.Events, .. entailed] };
    }

    /// <summary>The account and its decision context as they stand now, writing nothing; dispose to let writers on.</summary>
    public async Task<AccountRead> Read(string customerId, CancellationToken ct)
    {
        var entry = await cache.Enter(customerId, ct);
        try
        {
            var (context, _) = await contexts.For(entry.Account, ct);
            return new AccountRead(entry.Account, context, entry.Gate);
        }
        catch
        {
            entry.Gate.Release();
            throw;
        }
    }

    /// <summary>A view of the account built under its gate (null when there is no such customer).</summary>
    public async Task<TView?> View<TView>(string customerId, Func<CreditAccount, TView?> view, CancellationToken ct) where TView : class
    {
        var entry = await cache.Enter(customerId, ct);
        try
        {
            return entry.Account is { } account ? view(account) : null;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>A view for a read endpoint, or the problem to answer: 404 unknown, 403 not assigned to this clerk.</summary>
    public async Task<(TView? View, IResult? Problem)> Visible<TView>(string customerId, Caller caller, Func<CreditAccount, TView> view, CancellationToken ct)
    {
        var seen = await View(customerId, account => caller.MayRead(account.Profile.AssignedTo)
            ? new Tuple<TView?, IResult?>(view(account), null) : new(default, Errors.Problems.Result(403, ErrorCodes.CustomerNotAssigned)), ct);
        return seen is null ? (default, Errors.Problems.Result(404, ErrorCodes.CustomerNotFound)) : (seen.Item1, seen.Item2);
    }

    /// <summary>200 with the view, or the problem (see <see cref="Visible{TView}"/>).</summary>
    public async Task<IResult> ViewFor<TView>(string customerId, Caller caller, Func<CreditAccount, TView> view, CancellationToken ct)
    {
        var (seen, problem) = await Visible(customerId, caller, view, ct);
        return problem ?? (seen is IResult result ? result : Results.Ok(seen));
    }

    /// <summary>
    /// One of a customer's lists: <paramref name="status"/> one of <paramref name="statuses"/> (default the first), paged by
    /// limit/offset (X-Total-Count, Link rel="next"), or the problem (a bad filter or page, and as <see cref="Visible{TView}"/>).
    /// The rows are read under the account's gate and paged outside it, since paging writes the response's headers.
    /// </summary>
    public async Task<IResult> ListFor<TRow>(string customerId, string? status, IReadOnlyList<string> statuses, int? limit, int? offset,
        HttpContext http, Func<CreditAccount, string, IReadOnlyList<TRow>> rows, CancellationToken ct)
    {
        var filter = string.IsNullOrEmpty(status) ? statuses[0] : status; // ?status= as absent, like an empty ?limit=
        if (!statuses.Contains(filter)) return Errors.Problems.Validation([("status", "INVALID_VALUE")]);
        if (Hosting.Paging.Invalid(limit, offset) is { } badPage) return badPage;
        var (seen, problem) = await Visible(customerId, Auth.Caller.Of(http), account => rows(account, filter), ct);
        return problem ?? Results.Ok(Hosting.Paging.Slice(seen!, limit, offset, http));
    }

    private async Task<(string? GroupId, SemaphoreSlim? Gate)> PoolGateOf(AccountCache.Entry entry, CancellationToken ct)
    {
        // Unlocked peek: the group is checked again under the gates.
        var groupId = entry.Account?.Profile.GroupId;
        return groupId is not null && (await contexts.Group(groupId, ct))?.SharedCreditLimit is not null
            ? (groupId, cache.PoolGate(groupId)) : (null, null);
    }

    /// <summary>
    /// The shared pool the move takes the customer into, as stored now, and the settings read with that group's. The move
    /// is decided again under that pool's gate too (see Decide), and rewrites its record: no member's grant is decided beside
    /// it without the newcomer's debt. A newcomer in credit gives the pool room: its holds are re-checked (a group without a
    /// pool is not: its members' holds wait on their own limits, and a review there would release what a rule relaxed since
    /// holds).
    /// </summary>
    private async Task<(Groups.CustomerGroup? Pool, SettingsRead Read)> PoolJoined((string? From, string? To)? move, SettingsRead read,
        CancellationToken ct)
    {
        // A new customer joins too, and may bring an opening balance.
        if (move?.To is not { } joined) return (null, read);
        read = settings.Joining(read, joined); // before the group is read
        return (await contexts.Group(joined, ct) is { SharedCreditLimit: not null } pool ? pool : null, read);
    }

    /// <summary>
    /// What the decision sends, in its transaction: a hold review when the position improved (held orders may now
    /// pass), a look at the other pool members' grants when a payment bounced, and the reminders of the installments it
    /// opened: those due today at once, the others to wait for their date in <see cref="WaitingReminders"/>.
    /// </summary>
    private static (Func<IMartenOutbox, Task>? Messages, IReadOnlyList<Reminder> Waiting, bool PoolReviewAsked) Sends(
        string customerId, Caller caller, CreditAccount? before, Groups.CustomerGroup? pool, IReadOnlyList<object> events, CreditContext context,
        bool backdatedNextMorning, long poolReview, string? joinedPool)
    {
        var review = before is not null && events.Any(AccountDecisions.Improves)
            && (pool is not null || before.HeldOrders.Count > 0);
        var leftPool = pool is not null && before!.HeldOrders.Count > 0
            && events.OfType<Domain.Accounts.ProfileUpdated>().Any(p => p.Profile.GroupId != before.Profile.GroupId);
        // A bounce may take back what the system granted the other members of the pool the payer was in when it paid (in a
        // pool now or not: the handler reads where it was; bounces are rare).
        var bounced = events.OfType<Domain.Accounts.PaymentReversed>().FirstOrDefault();
        var reminders = ReminderSchedule.For(customerId, before, events, context.Policy.ReminderDaysBefore, context.Today, backdatedNextMorning);
        var now = reminders.Where(r => r.SendOn <= context.Today).ToArray();
        IReadOnlyList<Reminder> waiting = now.Length == reminders.Count ? [] : reminders.Where(r => r.SendOn > context.Today).ToArray();
        if (!review && joinedPool is null && bounced is null && now.Length == 0) return (null, waiting, false);
        // Under the caller's correlation id: what the system does in consequence (a release) is traced to the command.
        var traced = new DeliveryOptions { CorrelationId = caller.CorrelationId };
        return (async outbox =>
        {
            if (review)
            {
                if (pool is not null && poolReview > 0) await outbox.PublishAsync(new ReviewGroupHolds(pool.Id, poolReview), traced);
                // Out of the pool, its own holds are no longer among the pool's members': reviewed on their own.
                if (pool is null || leftPool) await outbox.PublishAsync(new ReviewHolds(customerId), traced);
            }
            if (joinedPool is not null) await outbox.PublishAsync(new ReviewGroupHolds(joinedPool), traced);
            if (bounced is not null) await outbox.PublishAsync(new HoldAgainAcrossPool(pool?.Id, customerId, bounced.PaymentId), traced);
            foreach (var reminder in now) await outbox.PublishAsync(new SendReminder(reminder), traced);
        }, waiting, review && pool is not null && poolReview > 0);
    }

    /// <summary>Keeps a copy of the account every few hundred events, for time travel and cold loads; off the request path.</summary>
    private void Checkpoint(AccountCache.Entry entry)
    {
        var state = AccountImage.Write(entry.Account!); // under the gate: the state cannot change while it is written
        var (id, version) = (entry.Id, entry.Version);
        _ = Task.Run(async () =>
        {
            try
            {
                await checkpoints.Save(id, version, state, CancellationToken.None);
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Checkpoint of {Customer} at version {Version} not written", id, version);
            }
        });
    }

    public static bool IsConflict(Exception ex) =>
        BatchAppend.IsConflict(ex) || ex is SettingsChangedException ||
        ex is ConcurrencyException or ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        || ex.InnerException is ConcurrencyException or ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException;
}
