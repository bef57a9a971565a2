using Credit.Api.Auth;
using Credit.Api.Errors;
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
    /// sees only the customers it may act on.</summary>
    [WolverineGet("/api/notifications")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(NotificationView[]), 200)]
    public static async Task<IResult> Get(string? customerId, string? type, int? limit, HttpContext http, IQuerySession session,
        Accounts.AccountStore accounts, CancellationToken ct)
    {
        var errors = new List<(string, string)>();
        if (customerId is not null && !Rules.IsValidId(customerId)) errors.Add(("customerId", "INVALID_ID"));
        if (type is not null && !Types.Contains(type)) errors.Add(("type", "INVALID_VALUE"));
        if (limit is < 1 or > 1000) errors.Add(("limit", "INVALID_VALUE"));
        if (errors.Count > 0) return Problems.Validation(errors);

        var caller = Caller.Of(http);
        // One customer asked for by a clerk it is not assigned to: 403 as its balance would be, not an empty list
        // that reads as "no reminders".
        if (customerId is not null && caller.IsOnlyClerk
            && await session.LoadAsync<AccountDirectoryEntry>(customerId, ct) is { } asked && !caller.MayRead(asked.AssignedTo))
            return Problems.Result(403, Credit.Domain.Decisions.ErrorCodes.CustomerNotAssigned);

        var query = session.Query<Notification>().AsQueryable();
        if (customerId is not null) query = query.Where(n => n.CustomerId == customerId);
        if (type is not null) query = query.Where(n => n.Type == type);
        var found = await query.OrderBy(n => n.SendOn).ThenBy(n => n.Id).Take(limit ?? 200).ToListAsync(ct);

        if (caller.IsOnlyClerk && found.Count > 0)
        {
            var ids = found.Select(n => n.CustomerId).Distinct().ToArray();
            var entries = await session.LoadManyAsync<AccountDirectoryEntry>(ct, ids);
            var visible = entries.Where(a => caller.MayRead(a.AssignedTo)).Select(a => a.Id).ToHashSet();
            found = found.Where(n => visible.Contains(n.CustomerId)).ToList();
        }
        // Sent before the installment count was kept: read it from the account, so the first of several is named too.
        foreach (var customer in found.Where(n => n.Installments == 0).GroupBy(n => n.CustomerId))
        {
            var counts = await accounts.View(customer.Key, a => a.Receivables.ToDictionary(r => r.Key, r => r.Value.Installments.Count), ct);
            foreach (var n in customer) n.Installments = counts?.GetValueOrDefault(n.DocumentId) ?? 0;
        }
        return Results.Ok(found.Select(NotificationView.Of).ToList());
    }
}
