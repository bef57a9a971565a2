using System.Globalization;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Invoicing;
using Credit.Api.Orders;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Audit;

public sealed record StateOrderView(string OrderId, decimal Amount, DateOnly OrderedOn, [property: OneOf(typeof(OrderStatus))] string Status, IReadOnlyList<ReasonView> Reasons);

/// <summary>OrdersHeldAgain: the customer's own orders its reversal held again, as on the payment.</summary>
public sealed record StatePaymentView(string PaymentId, decimal Amount, DateOnly ReceivedOn, decimal Unapplied, bool Reversed,
    IReadOnlyList<string> OrdersHeldAgain);

public sealed record StateCreditNoteView(string CreditNoteId, decimal Amount, DateOnly IssuedOn, string? InvoiceId, decimal Unapplied);

/// <summary>
/// The account as it stood: its profile then (group, kind, order-check bypass, assignment), the customer-level limit and
/// terms, documents and holds. The group's and the company's limits have their own histories (/api/groups/{id}/history,
/// /api/policy/history): with the groupId here they give the limit that applied.
/// </summary>
public sealed record AccountStateView(
    string CustomerId, long Version, DateTimeOffset? AsOf, DateOnly BusinessDate, string Name, string Currency,
    string? GroupId, [property: OneOf(typeof(ContactKind))] string Kind, bool BypassCreditCheckAtOrder, IReadOnlyList<string> AssignedTo,
    decimal? CreditLimit, bool UnlimitedCredit, DateOnly? CreditLimitExpiresOn, PaymentTerms? PaymentTerms,
    bool OnHold, string? HoldReason, decimal Outstanding, decimal OpenOrders, decimal Exposure, decimal UnappliedCredit,
    int InvoiceCount, IReadOnlyList<InvoiceView> Invoices, IReadOnlyList<StateOrderView> Orders, IReadOnlyList<StateOrderView> Holds,
    int PaymentCount, IReadOnlyList<StatePaymentView> Payments, IReadOnlyList<StateCreditNoteView> CreditNotes);

public static class GetStateEndpoint
{
    /// <summary>
    /// Time travel: <c>?asOf=2026-03-31T12:00:00Z</c> (or a business date, meaning the close of that day) or
    /// <c>?version=n</c>; neither gives the account now. Folded from the events up to that point.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/state")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(AccountStateView), 200)]
    public static async Task<IResult> Get(string customerId, string? asOf, long? version, int? limit, int? offset,
        IQuerySession session, TimeTravel travel, BusinessCalendar calendar, CancellationToken ct)
    {
        DateTimeOffset? at = null;
        if (asOf is not null && version is not null) return Problems.Validation([("asOf", "MUTUALLY_EXCLUSIVE"), ("version", "MUTUALLY_EXCLUSIVE")]);
        if (version is < 1) return Problems.Validation([("version", "INVALID_VALUE")]);
        if (limit is < 1 or > MaxListed) return Problems.Validation([("limit", "INVALID_VALUE")]);
        if (offset is < 0) return Problems.Validation([("offset", "INVALID_VALUE")]);
        if (asOf is not null)
        {
            // A business date means the close of that day; its range is checked first (the close of 9999-12-31 overflows).
            if (!BusinessDates.TryParse(asOf, out var asked))
            {
                // An offset's '+' left unencoded in a URL arrives as a space ("…T12:00:00 03:00"): it can only have been a '+'.
                var text = asOf.Length > 19 && asOf[^6] == ' ' ? string.Concat(asOf.AsSpan(0, asOf.Length - 6), "+", asOf.AsSpan(asOf.Length - 5)) : asOf;
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
                    return Problems.Validation([("asOf", "INVALID_TIMESTAMP")]); // a date would do too: the message says both
                (at, asked) = (instant, DateOnly.FromDateTime(instant.UtcDateTime));
            }
            if (!BusinessDates.InRange(asked)) return Problems.Validation([("asOf", "DATE_OUT_OF_RANGE")]);
            at ??= calendar.EndOf(asked);
        }

        var stream = await session.Events.FetchStreamStateAsync(customerId, ct);
        if (stream is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
        if (version > stream.Version) return Problems.Result(404, "VERSION_NOT_FOUND");

        var account = await travel.At(customerId, version, at, ct);
        if (account is null) return Problems.Result(404, "NOT_YET_OPENED");
        // A version stood as of the moment it was recorded: overdue is judged on that day, as asOf judges it, not today.
        var asOfTime = at ?? (version is { } v ? await RecordedAt(session, customerId, v, ct) : null);
        var day = asOfTime is { } t ? calendar.DateOf(t) : calendar.Today;
        return Results.Ok(View(account, asOfTime, day, offset ?? 0, limit ?? DefaultListed));
    }

    private static async Task<DateTimeOffset?> RecordedAt(IQuerySession session, string customerId, long version, CancellationToken ct) =>
        (await session.Events.QueryAllRawEvents().Where(e => e.StreamKey == customerId && e.Version == version).FirstOrDefaultAsync(ct))?.Timestamp;

    public const int DefaultListed = 500;
    public const int MaxListed = 10_000;

    /// <summary>Invoices and payments are listed in the order they happened, a page at a time for long accounts
    /// (<c>offset</c>, <c>limit</c>; the counts say how many there are). Orders and holds are always complete.</summary>
    public static AccountStateView View(CreditAccount a, DateTimeOffset? asOf, DateOnly day, int offset, int limit)
    {
        var orders = a.Orders.Values.OrderBy(o => o.Sequence)
            .Select(o => new StateOrderView(o.Id, o.Amount, o.OrderedOn, OrderResponse.StatusName(o.Status), Problems.Reasons(o.CurrentReasons))).ToList();
        return new AccountStateView(a.Id, a.Version, asOf, day, a.Profile.Name, a.Currency,
            a.Profile.GroupId, a.Profile.Kind.ToString().ToLowerInvariant(), a.Profile.BypassCreditCheckAtOrder, a.Profile.AssignedTo,
            a.CreditLimit, a.UnlimitedCredit,
            a.CreditLimitExpiresOn, a.PaymentTerms, a.OnHold, a.HoldReason, a.Outstanding, a.OpenOrders, a.Exposure, a.UnappliedCredit,
            a.Receivables.Count,
            a.Receivables.Values.OrderBy(r => r.Sequence).Skip(offset).Take(limit).Select(r => GetInvoiceEndpoint.View(a.Id, r, day)).ToList(),
            orders, orders.Where(o => o.Status == "held").ToList(), a.Payments.Count,
            a.Payments.Values.Skip(offset).Take(limit).Select(p => new StatePaymentView(p.Id, p.Amount, p.ReceivedOn, p.UnappliedLeft, p.Reversed, [.. p.HeldAgain])).ToList(),
            a.CreditNotes.Values.Select(n => new StateCreditNoteView(n.Id, n.Amount, n.IssuedOn, n.InvoiceId, n.Unapplied)).ToList());
    }
}
