using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Domain.Payments;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Payments;

public static class ListPaymentsEndpoint
{
    /// <summary>The status filter's values, its default first.</summary>
    internal static readonly string[] Statuses = ["all", "unapplied", "reversed"];

    /// <summary>
    /// The customer's payments in the order they were recorded, each as <c>GET …/payments/{paymentId}</c> shows it: what
    /// it settled, its unapplied rest, whether it bounced. What a clerk reconciles a bank statement against. status:
    /// unapplied (credit still on account), reversed, or all (the default). Optional limit/offset page it
    /// (X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/payments")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(PaymentView[]), 200)]
    public static async Task<IResult> Get(string customerId, string? status, int? limit, int? offset, HttpContext http,
        AccountStore accounts, CancellationToken ct)
    {
        status ??= "all";
        if (!Statuses.Contains(status)) return Problems.Validation([("status", "INVALID_VALUE")]);
        if (Paging.Invalid(limit, offset) is { } badPage) return badPage;
        // Read under the account's gate; paged outside it, since paging writes the response's headers.
        var (seen, problem) = await accounts.Visible(customerId, Caller.Of(http), account => account.Payments.Values
            .Where(p => status switch
            {
                "unapplied" => p.UnappliedLeft > 0,
                "reversed" => p.Reversed,
                _ => true,
            })
            .OrderBy(p => p.ReceivedAt)
            .Select(p => new PaymentView(customerId, p.Id, p.Amount, p.ReceivedOn, PaymentDecisions.ResultOf(p).Allocations,
                p.UnappliedLeft, p.Reversed, p.ReversedOn, p.ReversalReason, p.HeldAgain))
            .ToList(), ct);
        return problem ?? Results.Ok(Paging.Slice(seen!, limit, offset, http));
    }
}
