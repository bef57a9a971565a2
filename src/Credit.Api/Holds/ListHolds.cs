using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Reporting;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Holds;

/// <summary>AgeDays: business days the order has waited in the queue: since it was held, until today or its resolution.
/// Status: the hold's (pending, released, rejected, cancelled); OrderStatus: the order's now (a released order may since
/// have been invoiced or cancelled).</summary>
public sealed record HoldView(string CustomerId, string CustomerName, string OrderId, decimal Amount, DateOnly OrderedOn,
    IReadOnlyList<ReasonView> Reasons, DateTimeOffset HeldAt, string? HeldBy, int AgeDays, [property: OneOf("pending", "released", "rejected", "cancelled")] string Status,
    DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution,
    [property: OneOf(typeof(Domain.Accounts.OrderStatus))] string OrderStatus)
{
    /// <summary>The contract's word for <see cref="CustomerId"/> ("with reasons, amount, customer, age").</summary>
    public string Customer => CustomerId;

    /// <summary>The contract's word for <see cref="AgeDays"/>: days waited.</summary>
    public int Age => AgeDays;
}

public static class ListHoldsEndpoint
{
    /// <summary>The status filter's values, its default first.</summary>
    internal static readonly string[] Statuses = ["pending", "released", "rejected", "cancelled"];

    /// <summary>
    /// The controllers' queue: held orders across customers, oldest hold first, each with how many days it has waited
    /// (since held, to today or to its resolution); a clerk sees only its customers'. customerId narrows it to one customer. Optional limit/offset page it
    /// (X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/holds")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(HoldView[]), 200)]
    public static async Task<IResult> Get(string? status, string? customerId, int? limit, int? offset, HttpContext http, ReportingReads reads,
        ReadModelCatchUp catchUp, BusinessCalendar calendar, Marten.IQuerySession session, CancellationToken ct)
    {
        status ??= "pending";
        if (!Statuses.Contains(status)) return Problems.Validation([("status", "INVALID_VALUE")]);
        if (customerId is not null && !Validation.Rules.IsValidId(customerId)) return Problems.Validation([("customerId", "INVALID_ID")]);
        if (Paging.Invalid(limit, offset) is { } badPage) return badPage;
        var caller = Caller.Of(http);
        if (customerId is not null && await CustomerFilter.Check(session, customerId, caller, ct) is { } refused) return refused;
        await catchUp.Wait(ct);
        var today = calendar.Today;
        var holds = await reads.Holds(status, ct);
        var visible = holds.Where(h => caller.MayRead(h.AssignedTo) && (customerId is null || h.CustomerId == customerId)).ToList();
        return Results.Ok(Paging.Slice(visible, limit, offset, http).Select(h => new HoldView(h.CustomerId, h.CustomerName, h.OrderId,
            h.Amount, h.OrderedOn, Problems.Reasons(h.Reasons), h.HeldAt, h.HeldBy,
            // Timestamps are the database's clock, today the API's: never a negative age where the two disagree.
            Math.Max(0, (h.ResolvedAt is { } resolved ? calendar.DateOf(resolved) : today).DayNumber - calendar.DateOf(h.HeldAt).DayNumber), h.Status,
            h.ResolvedAt, h.ResolvedBy, Localization.Text.ReleaseReason(h.Resolution, h.ResolvedBy), h.OrderStatus)));
    }
}
