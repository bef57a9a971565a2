using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.Reminders;
using Credit.Projections.Directory;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Reminders;

/// <summary>A reminder that went out, with its text in the request's language.</summary>
public sealed record NotificationView(
    string Id, string CustomerId, string CustomerName, string DocumentId, int Installment, [property: OneOf(typeof(Domain.Reminders.ReminderKind))] string Type, DateOnly DueOn,
    DateOnly SendOn, decimal OpenAmount, string Currency, DateTimeOffset CreatedAt, string Message)
{
    public static NotificationView Of(Notification n) => new(n.Id, n.CustomerId, n.CustomerName, n.DocumentId, n.Installment, n.Type,
        n.DueOn, n.SendOn, n.OpenAmount, n.Currency, n.CreatedAt, n.MessageIn(System.Globalization.CultureInfo.CurrentUICulture));
}

public static class ListNotificationsEndpoint
{
    private static readonly string[] Types = [Reminder.DueSoonName, Reminder.OverdueName];

    /// <summary>Reminders that went out, oldest first, each with its text for the customer in the request's language; a clerk
    /// sees only the customers it may act on. A page of 200 unless limit says otherwise (at most 1,000), from offset;
    /// X-Total-Count and Link rel="next" as the other lists.</summary>
    [WolverineGet("/api/notifications")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(NotificationView[]), 200)]
    public static async Task<IResult> Get(string? customerId, string? type, int? limit, int? offset, HttpContext http, IQuerySession session,
        Accounts.AccountStore accounts, CancellationToken ct)
    {
        var errors = new List<(string, string)>();
        if (customerId is not null && !Rules.IsValidId(customerId)) errors.Add(("customerId", "INVALID_ID"));
        if (type is not null && !Types.Contains(type)) errors.Add(("type", "INVALID_VALUE"));
        if (limit is < 1 or > 1000) errors.Add(("limit", "INVALID_VALUE"));
        if (offset is < 0) errors.Add(("offset", "INVALID_VALUE"));
        if (errors.Count > 0) return Problems.Validation(errors);

        var caller = Caller.Of(http);
        // One customer asked for: answered like its own reads (404 unknown, 403 another clerk's), not with an empty list
        // that reads as "no reminders".
        if (customerId is not null && await Reporting.CustomerFilter.Check(session, customerId, caller, ct) is { } refused) return refused;

        var query = session.Query<Notification>().AsQueryable();
        if (customerId is not null) query = query.Where(n => n.CustomerId == customerId);
        if (type is not null) query = query.Where(n => n.Type == type);
        // (One customer was vetted above; the whole list is filtered by the clerk's assignments.)
        if (caller.IsOnlyClerk && customerId is null)
        {
            // Filtered before the page is cut (after it, a page of other clerks' reminders came back empty).
            var assigned = await session.Query<AccountDirectoryEntry>().Where(a => a.AssignedTo.Any()).ToListAsync(ct);
            var hidden = assigned.Where(a => !caller.MayRead(a.AssignedTo)).Select(a => a.Id).ToArray();
            if (hidden.Length > 0) query = query.Where(n => !hidden.Contains(n.CustomerId));
        }
        // A page at a time (200 unless asked), with the count over all and the next page's address.
        var take = limit ?? 200;
        var skip = offset ?? 0;
        var total = await query.CountAsync(ct);
        var found = await query.OrderBy(n => n.SendOn).ThenBy(n => n.Id).Skip(skip).Take(take).ToListAsync(ct);
        Paging.Headers(http, total, skip, take);
        // Sent before the installment count was kept: read it from the account, so the first of several is named too.
        foreach (var customer in found.Where(n => n.Installments == 0).GroupBy(n => n.CustomerId))
        {
            var counts = await accounts.View(customer.Key, a => a.Receivables.ToDictionary(r => r.Key, r => r.Value.Installments.Count), ct);
            foreach (var n in customer) n.Installments = counts?.GetValueOrDefault(n.DocumentId) ?? 0;
        }
        return Results.Ok(found.Select(NotificationView.Of).ToList());
    }
}
