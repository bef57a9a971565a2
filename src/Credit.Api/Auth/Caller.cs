using System.Security.Claims;

namespace Credit.Api.Auth;

/// <summary>Who is calling: the token subject (recorded on every event), roles and the correlation id.</summary>
public sealed record Caller(string User, IReadOnlySet<string> Roles, string CorrelationId)
{
    public const string CorrelationHeader = "X-Correlation-Id";
    public const string System = "system";

    public static Caller Of(HttpContext context)
    {
        var user = context.User.FindFirstValue("sub") ?? context.User.Identity?.Name ?? "anonymous";
        var roles = context.User.FindAll("role").Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var correlation = context.Items[CorrelationHeader] as string ?? context.TraceIdentifier;
        return new Caller(user, roles, correlation);
    }

    public bool IsController => Roles.Contains(Auth.Roles.Controller) || Roles.Contains(Auth.Roles.Admin);

    /// <summary>Only a clerk is bound by customer assignment; every other role sees every customer.</summary>
    public bool IsOnlyClerk => Roles.Contains(Auth.Roles.Clerk) && !Roles.Overlaps([Auth.Roles.Controller, Auth.Roles.Admin, Auth.Roles.Auditor, Auth.Roles.Reporter]);

    public bool MayActOn(IReadOnlyCollection<string> assignedTo) =>
        !IsOnlyClerk || assignedTo.Count == 0 || assignedTo.Contains(User);
}
