using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Domain.Orders;
using Credit.Projections.Directory;
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

    public static async Task<OutgoingMessages> Handle(ReviewGroupHolds message, IQuerySession session, AccountStore accounts, CancellationToken ct) =>
        await Reviews(await CreditContexts.Members(session, message.GroupId, ct), accounts, ct);

    public static async Task<OutgoingMessages> Handle(ReviewAllHolds message, IQuerySession session, AccountStore accounts, CancellationToken ct) =>
        await Reviews(await session.Query<AccountDirectoryEntry>().ToListAsync(ct), accounts, ct);

    private static async Task<OutgoingMessages> Reviews(IEnumerable<AccountDirectoryEntry> customers, AccountStore accounts, CancellationToken ct)
    {
        var waiting = new List<(string Id, DateOnly Oldest)>();
        foreach (var customer in customers)
        {
            var oldest = await accounts.View(customer.Id, a => a.HeldOrders.Select(o => (DateOnly?)o.OrderedOn).Min() is { } date ? Tuple.Create(date) : null, ct);
            if (oldest is not null) waiting.Add((customer.Id, oldest.Item1));
        }
        // Customers with the oldest hold first, so a pool's free credit goes to the longest waiting.
        var messages = new OutgoingMessages();
        foreach (var (id, _) in waiting.OrderBy(x => x.Oldest)) messages.Add(new ReviewHolds(id));
        return messages;
    }
}
