using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Domain.Accounts;
using Credit.Domain.Orders;
using Marten;
using Wolverine;

namespace Credit.Api.Holds;

/// <summary>Re-check a customer's held orders: cascaded when its credit position improved.</summary>
public sealed record ReviewHolds(string CustomerId);

/// <summary>Re-check the held orders of every member of a pooled group.</summary>
public sealed record ReviewGroupHolds(string GroupId);

/// <summary>Re-check every customer's held orders (after a company policy change).</summary>
public sealed record ReviewAllHolds;

public static class ReviewHoldsHandler
{
    public static async Task Handle(ReviewHolds message, AccountStore accounts, IMessageContext context, CancellationToken ct)
    {
        var system = new Caller(OrderDecisions.SystemUser, new HashSet<string>(), context.CorrelationId ?? Guid.NewGuid().ToString("N"));
        await accounts.Decide(message.CustomerId, system, (account, ctx) =>
            account is null ? Domain.Decisions.Outcome<int>.Repeat(0) : OrderDecisions.ReleaseWhatNowPasses(account, ctx), ct);
    }

    public static async Task<OutgoingMessages> Handle(ReviewGroupHolds message, IQuerySession session, CancellationToken ct)
    {
        var members = await CreditContexts.Members(session, message.GroupId, ct);
        return Reviews(members);
    }

    public static async Task<OutgoingMessages> Handle(ReviewAllHolds message, IQuerySession session, CancellationToken ct)
    {
        var all = await session.Query<CreditAccount>().ToListAsync(ct);
        return Reviews(all);
    }

    private static OutgoingMessages Reviews(IEnumerable<CreditAccount> accounts)
    {
        var messages = new OutgoingMessages();
        // Customers with the oldest hold first, so a pool's free credit goes to the longest waiting.
        var waiting = accounts
            .Select(a => (a.Id, Oldest: a.Orders.Values.Where(o => o.Status == OrderStatus.Held).Select(o => (DateOnly?)o.OrderedOn).Min()))
            .Where(x => x.Oldest is not null)
            .OrderBy(x => x.Oldest);
        foreach (var (id, _) in waiting) messages.Add(new ReviewHolds(id));
        return messages;
    }
}
