using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Domain.Orders;
using Credit.Projections.Directory;
using Marten;
using Marten.Storage;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Credit.Api.Holds;

/// <summary>Re-check a customer's held orders: cascaded when its credit position improved.</summary>
public sealed record ReviewHolds(string CustomerId);

/// <summary>Re-check the held orders of every member of a pooled group. <paramref name="Asked"/>: the request's number
/// (see <see cref="PoolReviews"/>), for a member's decision; null asks for a pass whatever ran before.</summary>
public sealed record ReviewGroupHolds(string GroupId, long? Asked = null);

/// <summary>Re-check every customer's held orders (after a company policy change); with <paramref name="Currencies"/> (rates
/// new or changed), only those a rate can free: customers in these currencies that inherit a limit or have an order held for
/// the review threshold while their rate is new or lower (<paramref name="Lowered"/>), and the members of shared pools with a
/// member in one that owes something, has orders held or whose rate is new (<paramref name="Added"/>).</summary>
public sealed record ReviewAllHolds(IReadOnlyList<string>? Currencies = null, IReadOnlyList<string>? Added = null,
    IReadOnlyList<string>? Lowered = null);

public static class ReviewHoldsHandler
{
    public static void Configure(Wolverine.Runtime.Handlers.HandlerChain chain) => RetryWhileBusy(chain);

    /// <summary>
    /// A review or re-hold waits for busy accounts and pools; timed out (Wolverine's minute), it was moved to the dead letters
    /// and never done: a bounce's grants stayed granted. Tried again shortly, then every half minute until done.
    /// </summary>
    internal static void RetryWhileBusy(Wolverine.Runtime.Handlers.HandlerChain chain) =>
        chain.OnException<OperationCanceledException>().Or<TimeoutException>()
            .RetryWithCooldown(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5))
            .Then.ScheduleRetryIndefinitely(TimeSpan.FromSeconds(30));

    public static async Task Handle(ReviewHolds message, AccountStore accounts, IMessageContext context, CancellationToken ct)
    {
        await accounts.Decide(message.CustomerId, SystemCaller(context), (account, ctx) =>
            account is null ? Domain.Decisions.Outcome<int>.Repeat(0) : OrderDecisions.ReleaseWhatNowPasses(account, ctx), ct);
    }

    /// <summary>
    /// A pool's free credit goes to the longest waiting: its members' held orders are re-checked one at a time, across
    /// members, in the order they were held (the event log's order), each against the pool as the ones before left it.
    /// One message per member, as before, raced: which member got the room was chance.
    /// </summary>
    public static async Task Handle(ReviewGroupHolds message, IDocumentStore store, AccountStore accounts,
        AccountCache cache, CreditContexts contexts, PoolReviews reviews, IMessageContext context, CancellationToken ct)
    {
        // Every payment of a member asks for a review. One a pass begun since has covered needs none; while one runs, later
        // requests only make it go round once more (a burst of 40 requests for a pool with 60 holds was 40 full passes).
        var group = message.GroupId;
        if (message.Asked is { } asked && reviews.IsCovered(group, asked)) return;
        if (Requested.AddOrUpdate(group, 1, (_, n) => n + 1) > 1) return;
        try
        {
            while (true)
            {
                var seen = Requested[group];
                reviews.Covered(group, await ReviewGroup(group, store, accounts, cache, contexts, reviews, context, ct));
                if (Requested.TryRemove(KeyValuePair.Create(group, seen))) return;
            }
        }
        catch
        {
            Requested.TryRemove(group, out _); // the message is retried; the next request runs its own pass
            throw;
        }
    }

    /// <summary>Review requests per group not yet covered by a pass (this node is the only one: Solo mode).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Requested = new();

    /// <summary>
    /// One pass over the pool's holds, under the pool's gate: deciding each held order under its own turn at the gate
    /// queued the pass behind every member's writer once per order, and under load it timed out; it holds the gate in
    /// turns (<see cref="GateTurns"/>). Returns the review request it covers (every decision committed before it first
    /// took the gate; those made between its turns asked for their own).
    /// </summary>
    private static async Task<long> ReviewGroup(string groupId, IDocumentStore store, AccountStore accounts,
        AccountCache cache, CreditContexts contexts, PoolReviews reviews, IMessageContext context, CancellationToken ct)
    {
        // A group without a pool (a raised default limit): its members' holds are decided each on its own, as before.
        var pooled = (await contexts.Group(groupId, ct))?.SharedCreditLimit is not null;
        using var turns = pooled ? new GateTurns(cache.PoolGate(groupId)) : null;
        if (turns is not null) await turns.Enter(ct);
        var upTo = pooled ? reviews.Begin(groupId) : reviews.CommittedSoFar(groupId);
        var held = new List<(string Customer, string Order)>();
        foreach (var member in await contexts.Members(groupId, ct))
        {
            var orders = await accounts.View(member, a => a.HeldOrders.Select(o => o.Id).ToList(), ct);
            held.AddRange((orders ?? []).Select(o => (member, o)));
        }
        if (held.Count == 0) return upTo;

        var heldAt = await HoldSequence(store, held, ct);
        var system = SystemCaller(context);
        foreach (var (customer, order) in held.OrderBy(h => heldAt.GetValueOrDefault(h, long.MaxValue)))
        {
            Domain.Decisions.Outcome<int> Release(Domain.Accounts.CreditAccount? account, Domain.Decisions.CreditContext ctx) =>
                account is null ? Domain.Decisions.Outcome<int>.Repeat(0) : OrderDecisions.ReleaseIfPasses(account, order, ctx);
            if (turns is not null) await turns.YieldIfDue(ct);
            if (pooled) await accounts.DecideInHeldPool(groupId, customer, system, Release, 0, ct);
            else await accounts.Decide(customer, system, Release, ct);
        }
        return upTo;
    }

    /// <summary>Where each order's hold stands in the event log (a global order: the hold queue's "oldest first").</summary>
    private static async Task<Dictionary<(string, string), long>> HoldSequence(
        IDocumentStore store, IReadOnlyList<(string Customer, string Order)> held, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new Npgsql.NpgsqlCommand($"""
            select e.stream_id, e.data ->> 'orderId', max(e.seq_id) from {MartenSetup.Schema}.mt_events e
            where e.stream_id = any(@customers) and e.type = any(@types) and e.data ->> 'orderId' = any(@orders)
            group by 1, 2
            """, conn);
        cmd.Parameters.AddWithValue("customers", held.Select(h => h.Customer).Distinct().ToArray());
        cmd.Parameters.AddWithValue("orders", held.Select(h => h.Order).Distinct().ToArray());
        // Held, or held again after a bounced payment: it waits from its latest hold.
        cmd.Parameters.AddWithValue("types", new[] { typeof(Domain.Accounts.OrderHeld), typeof(Domain.Accounts.OrderHeldAgain) }
            .Select(store.EventTypeName).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var sequence = new Dictionary<(string, string), long>();
        while (await reader.ReadAsync(ct)) sequence[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
        return sequence;
    }

    private static Caller SystemCaller(IMessageContext context) =>
        new(OrderDecisions.SystemUser, new HashSet<string>(), context.CorrelationId ?? Guid.NewGuid().ToString("N"));

    /// <summary>A customer's holds on their own; a group's members' together, so a pool's room goes to the longest waiting.</summary>
    public static async Task<OutgoingMessages> Handle(ReviewAllHolds message, IQuerySession session, AccountStore accounts,
        PolicyStore policies, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        var groups = await session.Query<Groups.CustomerGroup>().Where(g => g.SharedCreditLimit != null || g.DefaultCreditLimit != null)
            .ToListAsync(ct);
        var pools = groups.Where(g => g.SharedCreditLimit is not null).Select(g => g.Id).ToHashSet();
        var withDefault = groups.Where(g => g.DefaultCreditLimit is not null).Select(g => g.Id).ToHashSet();
        var policy = await policies.Current(ct);
        var customers = new List<Seen>();
        foreach (var customer in await session.Query<AccountDirectoryEntry>().ToListAsync(ct))
            if (await accounts.View(customer.Id, a => new Seen(customer.Id, a.Profile.GroupId, a.Currency,
                    Inherits: a.CreditLimit is null && !a.UnlimitedCredit // and a limit to inherit at all
                        && (policy.DefaultCreditLimit is not null || (a.Profile.GroupId is { } g && withDefault.Contains(g))),
                    Owes: a.Exposure != 0m, Holds: a.HeldOrders.Count > 0,
                    // held for the threshold, or for want of a rate to compare with it
                    ForThreshold: a.HeldOrders.Any(o => o.CurrentReasons.Contains(Domain.Policy.ReasonCodes.OrderValueReview)
                        || o.CurrentReasons.Contains(Domain.Policy.ReasonCodes.ExchangeRateMissing))), ct) is { } seen)
                customers.Add(seen);

        // A rate reaches a customer through the limit it inherits (its own needs none, nor does one with no limit at any
        // level) and, when it is new or lower, through the review threshold its orders are converted to; and a pool through
        // a member in that currency, as what it owes, what it has held (which joins the pool at that rate) or, for a new
        // rate, as the pool becoming summable. A review of anyone else would release, under the policy of the day, orders
        // held for a rule relaxed since: left to a controller.
        bool Everyone() => message.Currencies is null;
        bool InRate(string currency) => message.Currencies?.Contains(currency) == true;
        var poolsReached = customers.Where(c => c.GroupId is { } g && pools.Contains(g)
                && (Everyone() || (InRate(c.Currency) && (c.Owes || c.Holds || message.Added?.Contains(c.Currency) == true))))
            .Select(c => c.GroupId!).ToHashSet();
        bool Reached(Seen c) =>
            Everyone() || (InRate(c.Currency) && (c.Inherits
                || (c.ForThreshold && policy.OrderReviewThreshold is not null && message.Lowered?.Contains(c.Currency) == true)));
        var reviewed = new HashSet<string>();
        foreach (var c in customers.Where(c => c.Holds))
        {
            var reached = Reached(c);
            if (c.GroupId is { } g && pools.Contains(g))
            {
                if ((reached || poolsReached.Contains(g)) && reviewed.Add(g)) messages.Add(new ReviewGroupHolds(g));
            }
            else if (reached) messages.Add(new ReviewHolds(c.Id));
        }
        return messages;
    }

    /// <summary>A customer as a rate change meets it: what a new rate can reach in it.</summary>
    private sealed record Seen(string Id, string? GroupId, string Currency, bool Inherits, bool Owes, bool Holds, bool ForThreshold);
}
