using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Decisions;
using Credit.Projections.Directory;
using Marten;

namespace Credit.Api.Reporting;

/// <summary>A list narrowed to one customer (?customerId=): answered like that customer's own reads.</summary>
public static class CustomerFilter
{
    /// <summary>404 for a customer that does not exist (an empty list read as "none"), 403 for a clerk not assigned to
    /// it; null when the list may be answered.</summary>
    public static async Task<IResult?> Check(IQuerySession session, string customerId, Caller caller, CancellationToken ct) =>
        await session.LoadAsync<AccountDirectoryEntry>(customerId, ct) switch
        {
            null => Problems.Result(404, ErrorCodes.CustomerNotFound),
            { } entry when !caller.MayRead(entry.AssignedTo) => Problems.Result(403, ErrorCodes.CustomerNotAssigned),
            _ => null,
        };
}
