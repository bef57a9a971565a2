using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Domain.Accounts;
using Credit.Domain.Orders;
using Marten;
using Marten.Storage;
using Wolverine;

namespace Credit.Api.Holds;

/// <summary>
/// A member of a shared pool had a payment bounce: the other members' orders the system granted after it came may have
/// rested on the room it made in the pool. Sent in the reversal's transaction; the payer's own orders were decided there.
/// </summary>
public sealed record HoldAgainAcrossPool(string GroupId, string CustomerId, string PaymentId);

public static class HoldAgainAcrossPoolHandler
{
    /// <summary>
    /// The other members' grants by the system after the payment came (the event log's order), still standing, are decided
    /// again oldest first as if none of them had been made, each kept one counting towards the next, as for the payer's own:
    /// held again by the system when the pool fails without the payment and passed with it, or needed it when granted. A
    /// moment after the reversal, not in its commit: the orders are in other accounts, each written under its own gate.
    /// </summary>
    public static async Task Handle(HoldAgainAcrossPool message, IQuerySession session, IDocumentStore store, AccountStore accounts,
        PolicyStore policies, IMessageContext context, CancellationToken ct)
    {
        var policy = await policies.Current(ct);
        var bounced = await accounts.View(message.CustomerId, a => a.Payments.GetValueOrDefault(message.PaymentId) is { Reversed: true } p
            && policy.ToCompanyCurrency(InPool(a, a.Exposure) - InPool(a, a.Exposure - p.Amount), a.Currency) is { } worth and > 0m
                ? new PoolBounce(message.CustomerId, message.PaymentId, worth) : null, ct);
        if (bounced is null) return; // it never made room in the pool (a supplier's deposit counts for nothing there)
        var others = (await CreditContexts.Members(session, message.GroupId, ct)).Select(m => m.Id).Where(id => id != message.CustomerId).ToArray();
        if (others.Length == 0) return;

        var grants = new List<(string Customer, string Order, int Version, decimal Worth)>();
        foreach (var (customer, order, version) in await GrantsAfter(store, message, others, ct))
        {
            var worth = await accounts.View(customer, a => a.Orders.GetValueOrDefault(order) is { } o && o.GrantedAt == version && o.CountsAsExposure
                ? policy.ToCompanyCurrency(o.Amount, a.Currency) is { } w ? new Tuple<decimal>(w) : null
                : null, ct);
            if (worth is not null) grants.Add((customer, order, version, worth.Item1));
        }
        // The pool as each decision finds it holds the grants kept so far and those not yet decided: without the latter.
        var undecided = grants.Sum(g => g.Worth);
        var system = new Caller(OrderDecisions.SystemUser, new HashSet<string>(), context.CorrelationId ?? Guid.NewGuid().ToString("N"));
        foreach (var grant in grants)
        {
            await accounts.Decide(grant.Customer, system, (account, ctx) => account is null
                ? Domain.Decisions.Outcome<bool>.Accept(false)
                : OrderDecisions.HoldAgainInPool(account, ctx, bounced, grant.Order, grant.Version, -undecided), ct);
            undecided -= grant.Worth;
        }
    }

    /// <summary>What an exposure counts in the pool: a supplier-only contact owing nothing or in credit counts for nothing
    /// (<see cref="CreditContexts.PoolExposure"/>).</summary>
    private static decimal InPool(Domain.Accounts.CreditAccount account, decimal exposure) =>
        !account.Profile.BuysFromUs && exposure <= 0m ? 0m : exposure;

    /// <summary>The members' approvals and system releases recorded after the payment while they were in this group (an order
    /// granted before a member joined rested on no room of this pool), oldest first: (customer, order, version).</summary>
    private static async Task<List<(string, string, int)>> GrantsAfter(IDocumentStore store, HoldAgainAcrossPool message, string[] members,
        CancellationToken ct)
    {
        string TypeName(Type t) => ((DocumentStore)store).Events.EventMappingFor(t).EventTypeName;
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new Npgsql.NpgsqlCommand($"""
            select e.stream_id, e.data ->> 'orderId', e.version from {MartenSetup.Schema}.mt_events e
            where e.stream_id = any(@members) and e.seq_id > (
                select min(p.seq_id) from {MartenSetup.Schema}.mt_events p
                where p.stream_id = @payer and p.type = @received and p.data ->> 'paymentId' = @payment)
              and (e.type = @approved or (e.type = @released and e.data ->> 'by' = @system))
              and (select p.data -> 'profile' ->> 'groupId' from {MartenSetup.Schema}.mt_events p
                   where p.stream_id = e.stream_id and p.type = any(@profiles) and p.version < e.version
                   order by p.version desc limit 1) = @group
            order by e.seq_id
            """, conn);
        cmd.Parameters.AddWithValue("members", members);
        cmd.Parameters.AddWithValue("payer", message.CustomerId);
        cmd.Parameters.AddWithValue("payment", message.PaymentId);
        cmd.Parameters.AddWithValue("received", TypeName(typeof(PaymentReceived)));
        cmd.Parameters.AddWithValue("approved", TypeName(typeof(OrderApproved)));
        cmd.Parameters.AddWithValue("released", TypeName(typeof(HoldReleased)));
        cmd.Parameters.AddWithValue("system", OrderDecisions.SystemUser);
        cmd.Parameters.AddWithValue("group", message.GroupId);
        cmd.Parameters.AddWithValue("profiles", new[] { TypeName(typeof(AccountOpened)), TypeName(typeof(ProfileUpdated)) });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var grants = new List<(string, string, int)>();
        while (await reader.ReadAsync(ct)) grants.Add((reader.GetString(0), reader.GetString(1), (int)reader.GetInt64(2)));
        return grants;
    }
}
