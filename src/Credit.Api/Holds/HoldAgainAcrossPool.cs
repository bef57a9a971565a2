using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Hosting;
using Credit.Domain.Accounts;
using Credit.Domain.Orders;
using Marten;
using Marten.Storage;
using Wolverine;

namespace Credit.Api.Holds;

/// <summary>
/// A customer had a payment bounce: the other members' orders the system granted after it came may have rested on the room
/// it made in the pool the payer was in then. Sent in the reversal's transaction; the payer's own orders were decided there.
/// GroupId: the payer's pool now (null: none), for the record; the handler goes by the one it paid in.
/// </summary>
public sealed record HoldAgainAcrossPool(string? GroupId, string CustomerId, string PaymentId);

public static class HoldAgainAcrossPoolHandler
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Turns = new(StringComparer.Ordinal);

    public static void Configure(Wolverine.Runtime.Handlers.HandlerChain chain) => ReviewHoldsHandler.RetryWhileBusy(chain);

    /// <summary>For tests: runs once a look has listed the pool's grants (the group's id), before it decides them.</summary>
    internal static Func<string, Task>? GrantsListed;

    /// <summary>
    /// The other members' grants by the system after the payment came (the event log's order), in the pool the payer was in
    /// then, made while their customer was in it, still standing, are decided again oldest first as if none of them had been
    /// made, each kept one counting towards the next, as for the payer's own: held again by the system when the pool fails
    /// without the payment and passed with it, or needed it when granted (the pool had less to spare than the payer's
    /// payments that came before the grant and bounced since). A moment after the reversal, not in its commit: the orders
    /// are in other accounts, each written under its own gate.
    /// </summary>
    public static async Task Handle(HoldAgainAcrossPool message, IDocumentStore store, AccountStore accounts, AccountCache cache,
        CreditContexts contexts, IMessageContext context, CancellationToken ct)
    {
        // Each payment's amount and what it settled (the debt it paid, as against credit left over), in the payer's currency:
        // amounts are converted with the policy each decision is made on. Converted once at the start, a rate changed during
        // a look took the grants off the pool at the old rate while the pool stood at the new one (sweep AJ: 2,610 over).
        var payer = await accounts.View(message.CustomerId, a => new Payer(a.Currency,
            a.Payments.Values.ToDictionary(p => p.Id, p => (p.Amount, Settled: p.Settlements.Sum(x => x.Amount)))), ct);
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        var payments = await PaymentsOf(conn, store, message.CustomerId, ct);
        if (payer is null || !payments.TryGetValue(message.PaymentId, out var payment) || payment.Reversed is null
            || !payer.Payments.TryGetValue(message.PaymentId, out var paid)) return;
        // The room it made was in the pool the payer was in when it came, while it stayed there. From a supplier-only contact
        // only the debt it paid made room (the pool counts such a contact only while it owes: a deposit made none); a kind
        // changed since does not change what it made.
        var (group, supplier) = await ProfileAt(conn, store, message.CustomerId, payment.Version, ct);
        var bounced = supplier ? paid.Settled : paid.Amount;
        if (group is null || bounced <= 0m) return;
        // One bounce at a time per pool: two listing the same grants at once each took the other's re-holds off the pool a
        // second time ("without the grants not yet decided"), found room, and left grants that needed the money standing, the
        // pool over its limit (sweep AI: 7 of 36 after ten reversals of one payer in a row).
        var turn = Turns.GetOrAdd(group, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(ct);
        // And under the pool's gate, in turns as a review pass takes it: no member's decision lands between listing the grants
        // and deciding them. A clerk's cancel of a listed grant in between had it taken off the pool twice (once by the cancel,
        // once as "not yet decided"), and the look found room that was not there.
        var turns = new GateTurns(cache.PoolGate(group));
        try
        {
            await turns.Enter(ct);
            // Read again in the turn: the payer's payments that bounced while this one waited count as bounced since.
            payments = await PaymentsOf(conn, store, message.CustomerId, ct);
            var left = await LeftAt(conn, store, message.CustomerId, payment.Version, group, ct);
            var others = (await contexts.Members(group, ct)).Where(id => id != message.CustomerId).ToArray();
            if (others.Length == 0) return;

            var grants = new List<Grant>();
            foreach (var (customer, order, version, seq) in await GrantsAfter(conn, store, group, payment.Received, left ?? long.MaxValue, others, ct))
            {
                // What the grant may have rested on: the payer's payments that came before it and have bounced since.
                var since = payments.Where(p => p.Value.Received < seq && p.Value.Reversed > seq).Sum(p => payer.Payments.GetValueOrDefault(p.Key).Amount);
                if (await Standing(accounts, group, customer, order, version, ct) is var (amount, currency) && amount > 0m)
                    grants.Add(new(customer, order, version, amount, currency, since));
            }
            if (GrantsListed is { } listed) await listed(group);
            // The pool as each decision finds it holds the grants kept so far and those not yet decided: without the latter
            // (summed per currency, converted on each decision's policy).
            var counted = grants.Select(g => g.Amount).ToArray(); // each one's part in what follows
            var undecided = Undecided(grants, counted, 0);
            var system = new Caller(OrderDecisions.SystemUser, new HashSet<string>(), context.CorrelationId ?? Guid.NewGuid().ToString("N"));
            var heldAgain = false;
            for (var i = 0; i < grants.Count; i++)
            {
                // The members' writers waiting meanwhile go first; what they changed of the grants left is counted again.
                if (await turns.YieldIfDue(ct))
                {
                    for (var j = i; j < grants.Count; j++)
                        counted[j] = (await Standing(accounts, group, grants[j].Customer, grants[j].Order, grants[j].Version, ct)).Amount;
                    undecided = Undecided(grants, counted, i);
                }
                var grant = grants[i];
                var outcome = await accounts.DecideInHeldPool(group, grant.Customer, system, (account, ctx) =>
                {
                    var policy = ctx.Policy;
                    decimal? before = 0m;
                    foreach (var (currency, amount) in undecided) before += policy.ToCompanyCurrency(amount, currency);
                    // Without a rate the pool cannot be summed: its members' decisions are blocked until one is set.
                    if (account is null || before is null || policy.ToCompanyCurrency(bounced, payer.Currency) is not { } worth
                        || policy.ToCompanyCurrency(grant.BouncedSince, payer.Currency) is not { } since)
                        return Domain.Decisions.Outcome<bool>.Accept(false);
                    var bounce = new PoolBounce(message.CustomerId, message.PaymentId, worth, since);
                    return OrderDecisions.HoldAgainInPool(account, ctx, bounce, grant.Order, grant.Version, -before.Value);
                }, elsewhere: false, ct);
                heldAgain |= outcome.Result;
                undecided[grant.Currency] -= counted[i]; // held again or kept, it is no longer among those not yet decided
            }
            // The payer's own grants were decided first, in the reversal's commit, beside these: what these give back to the pool
            // goes to the longest waiting of the pool's holds (a payer's later, smaller grant may fit once an older one is out).
            if (heldAgain) await context.PublishAsync(new ReviewGroupHolds(group));
        }
        finally
        {
            turns.Dispose();
            turn.Release();
        }
    }

    private sealed record Payer(string Currency, Dictionary<string, (decimal Amount, decimal Settled)> Payments);

    /// <summary>A member's grant: its amount in the member's currency; BouncedSince in the payer's.</summary>
    private sealed record Grant(string Customer, string Order, int Version, decimal Amount, string Currency, decimal BouncedSince);

    /// <summary>The grants from <paramref name="from"/> on, as counted, summed per currency.</summary>
    private static Dictionary<string, decimal> Undecided(List<Grant> grants, decimal[] counted, int from)
    {
        var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var j = from; j < grants.Count; j++) sums[grants[j].Currency] = sums.GetValueOrDefault(grants[j].Currency) + counted[j];
        return sums;
    }

    /// <summary>A grant's amount in its customer's currency while it still stands as granted, its customer still in the pool;
    /// else 0 (cancelled, invoiced, held, or its customer gone to another group since).</summary>
    private static async Task<(decimal Amount, string Currency)> Standing(AccountStore accounts, string group, string customer, string order,
        int version, CancellationToken ct) =>
        await accounts.View(customer, a => a.Profile.GroupId == group && a.Orders.GetValueOrDefault(order) is { } o && o.GrantedAt == version
            && o.CountsAsExposure ? new Tuple<decimal, string>(o.Amount, a.Currency) : null, ct) is { } standing ? (standing.Item1, standing.Item2) : (0m, "");

    /// <summary>The payer's payments: where each came in the event log (and its account version), and where it bounced.</summary>
    private static async Task<Dictionary<string, (long Received, int Version, long? Reversed)>> PaymentsOf(Npgsql.NpgsqlConnection conn,
        IDocumentStore store, string payer, CancellationToken ct)
    {
        await using var cmd = new Npgsql.NpgsqlCommand($"""
            select e.data ->> 'paymentId', e.type = @received, e.seq_id, e.version from {MartenSetup.Schema}.mt_events e
            where e.stream_id = @payer and e.type = any(@types) order by e.seq_id
            """, conn);
        cmd.Parameters.AddWithValue("payer", payer);
        cmd.Parameters.AddWithValue("received", store.EventTypeName(typeof(PaymentReceived)));
        cmd.Parameters.AddWithValue("types", new[] { store.EventTypeName(typeof(PaymentReceived)), store.EventTypeName(typeof(PaymentReversed)) });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var payments = new Dictionary<string, (long Received, int Version, long? Reversed)>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (reader.GetBoolean(1)) payments[id] = (reader.GetInt64(2), (int)reader.GetInt64(3), null);
            else if (payments.TryGetValue(id, out var p)) payments[id] = p with { Reversed = reader.GetInt64(2) };
        }
        return payments;
    }

    /// <summary>The customer's group and whether it was a supplier-only contact, as its profile stood before this version.</summary>
    private static async Task<(string? Group, bool Supplier)> ProfileAt(Npgsql.NpgsqlConnection conn, IDocumentStore store, string customer,
        int version, CancellationToken ct)
    {
        await using var cmd = new Npgsql.NpgsqlCommand($"""
            select p.data -> 'profile' ->> 'groupId', lower(p.data -> 'profile' ->> 'kind') = 'supplier' from {MartenSetup.Schema}.mt_events p
            where p.stream_id = @customer and p.type = any(@profiles) and p.version < @version order by p.version desc limit 1
            """, conn);
        cmd.Parameters.AddWithValue("customer", customer);
        cmd.Parameters.AddWithValue("version", (long)version);
        cmd.Parameters.AddWithValue("profiles", ProfileTypes(store));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.IsDBNull(0) ? null : reader.GetString(0), !reader.IsDBNull(1) && reader.GetBoolean(1)) : (null, false);
    }

    /// <summary>Where in the event log the customer left the group after this version (null: it is still in it).</summary>
    private static Task<long?> LeftAt(Npgsql.NpgsqlConnection conn, IDocumentStore store, string customer, int version, string group,
        CancellationToken ct) =>
        conn.Scalar<long?>($"""
            select min(p.seq_id) from {MartenSetup.Schema}.mt_events p
            where p.stream_id = @customer and p.type = any(@profiles) and p.version > @version
              and (p.data -> 'profile' ->> 'groupId') is distinct from @group
            """, ct, ("customer", customer), ("version", (long)version), ("group", group), ("profiles", ProfileTypes(store)));

    /// <summary>The events that carry a customer's profile (its group and kind).</summary>
    private static string[] ProfileTypes(IDocumentStore store) =>
        [store.EventTypeName(typeof(AccountOpened)), store.EventTypeName(typeof(ProfileUpdated))];

    /// <summary>The members' approvals and system releases recorded after the payment and before the payer left (<paramref
    /// name="before"/>), while they were in this group (an order granted before a member joined rested on no room of this
    /// pool), oldest first: (customer, order, version, sequence).</summary>
    private static async Task<List<(string, string, int, long)>> GrantsAfter(Npgsql.NpgsqlConnection conn, IDocumentStore store, string group,
        long after, long before, string[] members, CancellationToken ct)
    {
        var grants = new List<(string Customer, string Order, int Version, long Seq)>();
        await using (var cmd = new Npgsql.NpgsqlCommand($"""
            select e.stream_id, e.data ->> 'orderId', e.version, e.seq_id from {MartenSetup.Schema}.mt_events e
            where e.stream_id = any(@members) and e.seq_id > @after and e.seq_id < @before
              and (e.type = @approved or (e.type = @released and e.data ->> 'by' = @system))
            order by e.seq_id
            """, conn))
        {
            cmd.Parameters.AddWithValue("members", members);
            cmd.Parameters.AddWithValue("after", after);
            cmd.Parameters.AddWithValue("before", before);
            cmd.Parameters.AddWithValue("approved", store.EventTypeName(typeof(OrderApproved)));
            cmd.Parameters.AddWithValue("released", store.EventTypeName(typeof(HoldReleased)));
            cmd.Parameters.AddWithValue("system", OrderDecisions.SystemUser);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) grants.Add((reader.GetString(0), reader.GetString(1), (int)reader.GetInt64(2), reader.GetInt64(3)));
        }
        if (grants.Count == 0) return [];

        // The group each grant's customer was in: its profile before the grant. Read once per member, not per grant (a
        // subquery per grant walked back through the member's history to its last profile change: under a burst of
        // bounces each look-up took 0.3-3 s and the re-holds fell minutes behind).
        var profiles = new Dictionary<string, List<(int Version, string? Group)>>();
        await using (var cmd = new Npgsql.NpgsqlCommand($"""
            select p.stream_id, p.version, p.data -> 'profile' ->> 'groupId' from {MartenSetup.Schema}.mt_events p
            where p.stream_id = any(@customers) and p.type = any(@profiles) order by p.stream_id, p.version
            """, conn))
        {
            cmd.Parameters.AddWithValue("customers", grants.Select(g => g.Customer).Distinct().ToArray());
            cmd.Parameters.AddWithValue("profiles", ProfileTypes(store));
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!profiles.TryGetValue(reader.GetString(0), out var changes)) profiles[reader.GetString(0)] = changes = [];
                changes.Add(((int)reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        string? GroupBefore(string customer, int version) =>
            profiles.GetValueOrDefault(customer)?.LastOrDefault(p => p.Version < version).Group;
        return grants.Where(g => GroupBefore(g.Customer, g.Version) == group).Select(g => (g.Customer, g.Order, g.Version, g.Seq)).ToList();
    }
}
