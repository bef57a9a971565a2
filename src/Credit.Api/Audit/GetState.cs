using System.Globalization;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Invoicing;
using Credit.Api.Orders;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Projections.Accounts;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Audit;

public sealed record StateOrderView(string OrderId, decimal Amount, DateOnly OrderedOn, string Status, IReadOnlyList<ReasonView> Reasons);

public sealed record StatePaymentView(string PaymentId, decimal Amount, DateOnly ReceivedOn, decimal Unapplied, bool Reversed);

/// <summary>The account as it stood: the customer-level limit and terms (group and company settings have their own history).</summary>
public sealed record AccountStateView(
    string CustomerId, long Version, DateTimeOffset? AsOf, DateOnly BusinessDate, string Name, string Currency,
    decimal? CreditLimit, bool UnlimitedCredit, DateOnly? CreditLimitExpiresOn, PaymentTerms? PaymentTerms,
    bool OnHold, string? HoldReason, decimal Outstanding, decimal OpenOrders, decimal Exposure, decimal UnappliedCredit,
    IReadOnlyList<InvoiceView> Invoices, IReadOnlyList<StateOrderView> Orders, IReadOnlyList<StateOrderView> Holds,
    IReadOnlyList<StatePaymentView> Payments);

public static class GetStateEndpoint
{
    /// <summary>
    /// Time travel: <c>?asOf=2026-03-31T12:00:00Z</c> (or a business date, meaning the close of that day) or
    /// <c>?version=n</c>; neither gives the account now. Folded from the events up to that point.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/state")]
    [Authorize(Roles = Roles.Auditors)]
    public static async Task<IResult> Get(string customerId, string? asOf, long? version, IQuerySession session,
        BusinessCalendar calendar, CancellationToken ct)
    {
        DateTimeOffset? at = null;
        if (asOf is not null && version is not null) return Problems.Validation([("asOf", "MUTUALLY_EXCLUSIVE")]);
        if (version is < 1) return Problems.Validation([("version", "INVALID_VALUE")]);
        if (asOf is not null)
        {
            if (DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) at = calendar.EndOf(date);
            else if (DateTimeOffset.TryParse(asOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)) at = instant;
            else return Problems.Validation([("asOf", "INVALID_DATE")]);
        }

        var stream = await session.Events.FetchStreamStateAsync(customerId, ct);
        if (stream is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
        if (version > stream.Version) return Problems.Result(404, "VERSION_NOT_FOUND");

        // Start from the newest checkpoint at or before the point asked for; fold only the events after it.
        var checkpoints = session.Query<AccountCheckpoint>().Where(c => c.CustomerId == customerId);
        if (version is { } v) checkpoints = checkpoints.Where(c => c.Version <= v);
        if (at is { } moment) checkpoints = checkpoints.Where(c => c.Timestamp <= moment);
        var checkpoint = await checkpoints.OrderByDescending(c => c.Version).FirstOrDefaultAsync(ct);
        var account = checkpoint is not null && checkpoint.Version == version
            ? checkpoint.Account
            : await session.Events.AggregateStreamAsync(customerId, version ?? 0, at, checkpoint?.Account,
                (checkpoint?.Version ?? 0) + 1, ct) ?? checkpoint?.Account;
        if (account is null) return Problems.Result(404, "NOT_YET_OPENED");
        var day = at is { } t ? calendar.DateOf(t) : calendar.Today;
        return Results.Ok(View(account, at, day));
    }

    public static AccountStateView View(CreditAccount a, DateTimeOffset? asOf, DateOnly day)
    {
        var orders = a.Orders.Values.OrderBy(o => o.Sequence)
            .Select(o => new StateOrderView(o.Id, o.Amount, o.OrderedOn, OrderResponse.StatusName(o.Status), Problems.Reasons(o.Reasons))).ToList();
        return new AccountStateView(a.Id, a.Version, asOf, day, a.Profile.Name, a.Currency, a.CreditLimit, a.UnlimitedCredit,
            a.CreditLimitExpiresOn, a.PaymentTerms, a.OnHold, a.HoldReason, a.Outstanding, a.OpenOrders, a.Exposure, a.UnappliedCredit,
            a.Receivables.Values.OrderBy(r => r.Sequence).Select(r => GetInvoiceEndpoint.View(a.Id, r, day)).ToList(),
            orders, orders.Where(o => o.Status == "held").ToList(),
            a.Payments.Values.Select(p => new StatePaymentView(p.Id, p.Amount, p.ReceivedOn, p.Unapplied, p.Reversed)).ToList());
    }
}
