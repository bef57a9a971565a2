using System.Globalization;
using System.Security.Claims;
using System.Text;

namespace Credit.Api.Auth;

/// <summary>Who is calling: the token subject (recorded on every event), roles and the correlation id.</summary>
public sealed record Caller(string User, IReadOnlySet<string> Roles, string CorrelationId)
{
    public const string CorrelationHeader = "X-Correlation-Id";
    public const string System = "system";
    public const string InvalidSubject = "TOKEN_SUBJECT_INVALID";

    public const int MaxUserLength = 128;

    /// <summary>
    /// A token subject we record as the user on events: 1-128 visible characters, no control or format characters
    /// (a newline or a right-to-left override would forge lines in the audit trail), and never "system", which is
    /// the name automatic releases are recorded under.
    /// </summary>
    public static bool IsValidUser([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? user) =>
        user is { Length: > 0 and <= MaxUserLength } && !Validation.Rules.IsBlank(user) && user.Trim().Length == user.Length
        && !user.EnumerateRunes().Any(r => Rune.GetUnicodeCategory(r) is UnicodeCategory.Control
            or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator)
        // Compatibility forms too: a full-width "ｓｙｓｔｅｍ" or "syſtem" reads as the system's name.
        && !string.Equals(user.Normalize(NormalizationForm.FormKC), System, StringComparison.OrdinalIgnoreCase);

    public static Caller Of(HttpContext context)
    {
        var user = context.User.FindFirstValue("sub") ?? context.User.Identity?.Name ?? "anonymous";
        var roles = context.User.FindAll("role").Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var correlation = context.Items[CorrelationHeader] as string ?? context.TraceIdentifier;
        return new Caller(user, roles, correlation);
    }

    public bool IsController => Roles.Contains(Auth.Roles.Controller) || Roles.Contains(Auth.Roles.Admin);

    /// <summary>Reads: only a clerk is bound by customer assignment; a token that also carries a role that reads
    /// everything (auditor, reporter, controller, admin) sees every customer.</summary>
    public bool IsOnlyClerk => Roles.Contains(Auth.Roles.Clerk) && !Roles.Overlaps([Auth.Roles.Controller, Auth.Roles.Admin, Auth.Roles.Auditor, Auth.Roles.Reporter]);

    public bool MayRead(IReadOnlyCollection<string> assignedTo) => !IsOnlyClerk || IsAssigned(assignedTo);

    /// <summary>Writes: a clerk is bound by assignment even when its token also carries a read-only role (auditor,
    /// reporter): reading everything does not widen what it may change. Controllers, admins and the system are not.</summary>
    public bool MayWrite(IReadOnlyCollection<string> assignedTo) =>
        !Roles.Contains(Auth.Roles.Clerk) || IsController || IsAssigned(assignedTo);

    private bool IsAssigned(IReadOnlyCollection<string> assignedTo) => assignedTo.Count == 0 || assignedTo.Contains(User);
}
