using Credit.Api.Accounts;
using Credit.Api.Auth;
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
    public static Task<IResult> Get(string customerId, string? status, int? limit, int? offset, HttpContext http,
        AccountStore accounts, CancellationToken ct) =>
        accounts.ListFor(customerId, status, Statuses, limit, offset, http, (account, filter) => account.Payments.Values
            .Where(p => filter switch
            {
                "unapplied" => p.UnappliedLeft > 0,
                "reversed" => p.Reversed,
                _ => true,
            })
            .OrderBy(p => p.ReceivedAt)
            .Select(p => PaymentView.Of(customerId, p))
            .ToList(), ct);
}
