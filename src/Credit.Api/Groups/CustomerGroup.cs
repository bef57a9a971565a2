namespace Credit.Api.Groups;

/// <summary>
/// A customer group: a default limit for members without their own, and optionally one shared pool
/// (Dynamics 365 credit groups). Stored with optimistic concurrency: every pooled decision rewrites it,
/// so two members' racing documents are serialised by the pool.
/// </summary>
public sealed class CustomerGroup
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public decimal? DefaultCreditLimit { get; set; }
    public decimal? SharedCreditLimit { get; set; }
    public long Decisions { get; set; }
    /// <summary>Marten's optimistic-concurrency version, carried on the document so any session can check it.</summary>
    [Marten.Schema.Version]
    public Guid Version { get; set; }
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }

    public static string StreamOf(string groupId) => $"~group~{groupId}";
}

public sealed record GroupSaved(string GroupId, string Name, decimal? DefaultCreditLimit, decimal? SharedCreditLimit);
