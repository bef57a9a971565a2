using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Projections.Holds;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Holds;

public sealed record HoldView(string CustomerId, string OrderId, decimal Amount, DateOnly OrderedOn, IReadOnlyList<ReasonView> Reasons,
    DateTimeOffset HeldAt, string? HeldBy, int AgeDays, string Status, DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution);

public static class ListHoldsEndpoint
{
    private static readonly string[] Statuses = ["pending", "released", "rejected", "cancelled"];

    /// <summary>The controllers' queue: held orders across customers, oldest first.</summary>
    [WolverineGet("/api/holds")]
    [Authorize(Roles = Roles.Readers)]
    public static async Task<IResult> Get(string? status, IQuerySession session, ReadModelCatchUp catchUp, BusinessCalendar calendar, CancellationToken ct)
    {
        status ??= "pending";
        if (!Statuses.Contains(status)) return Problems.Validation([("status", "INVALID_VALUE")]);
        await catchUp.Wait(ct);
        var holds = await session.Query<HeldOrder>().Where(h => h.Status == status).OrderBy(h => h.HeldAt).ToListAsync(ct);
        var today = calendar.Today;
        return Results.Ok(holds.Select(h => new HoldView(h.CustomerId, h.OrderId, h.Amount, h.OrderedOn, Problems.Reasons(h.Reasons),
            h.HeldAt, h.HeldBy, today.DayNumber - h.OrderedOn.DayNumber, h.Status, h.ResolvedAt, h.ResolvedBy, h.Resolution)));
    }
}
