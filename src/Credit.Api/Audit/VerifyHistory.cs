using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Decisions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Audit;

public static class VerifyHistoryEndpoint
{
    /// <summary><c>{ valid, events, headHash }</c>; when invalid, <c>firstBadVersion</c> and what is wrong there.</summary>
    [WolverineGet("/api/customers/{customerId}/history/verify")]
    [Authorize(Roles = Roles.Auditors)]
    public static async Task<IResult> Get(string customerId, IQuerySession session, HashChain chain, CancellationToken ct)
    {
        if (await session.Events.FetchStreamStateAsync(customerId, ct) is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
        return Results.Ok(await chain.Verify(customerId, ct));
    }
}
