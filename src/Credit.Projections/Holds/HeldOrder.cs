using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace Credit.Projections.Holds;

/// <summary>One held order in the controllers' queue, with what became of it.</summary>
public sealed class HeldOrder
{
    public string Id { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string OrderId { get; set; } = "";
    public decimal Amount { get; set; }
    public DateOnly OrderedOn { get; set; }
    public IReadOnlyList<string> Reasons { get; set; } = [];
    public IReadOnlyList<string> Warnings { get; set; } = [];
    public DateTimeOffset HeldAt { get; set; }
    public string? HeldBy { get; set; }
    /// <summary>pending, released, rejected or cancelled.</summary>
    public string Status { get; set; } = "pending";
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public string? Resolution { get; set; }

    public static string IdOf(string customerId, string orderId) => $"{customerId}/{orderId}";
}

public sealed partial class HeldOrderProjection : EventProjection
{
    public HeldOrder Create(IEvent<OrderHeld> e) => new()
    {
        Id = HeldOrder.IdOf(e.StreamKey!, e.Data.OrderId), CustomerId = e.StreamKey!, OrderId = e.Data.OrderId,
        Amount = e.Data.Amount, OrderedOn = e.Data.OrderedOn, Reasons = e.Data.Reasons, Warnings = e.Data.Warnings,
        HeldAt = e.Timestamp, HeldBy = e.UserName,
    };

    public Task Project(IEvent<HoldReleased> e, IDocumentOperations ops) => Resolve(e, e.Data.OrderId, "released", e.Data.Reason, ops, e.Data.By);

    public Task Project(IEvent<OrderRejected> e, IDocumentOperations ops) => Resolve(e, e.Data.OrderId, "rejected", e.Data.Reason, ops);

    public Task Project(IEvent<OrderCancelled> e, IDocumentOperations ops) => Resolve(e, e.Data.OrderId, "cancelled", e.Data.Reason, ops);

    private static async Task Resolve(IEvent e, string orderId, string status, string reason, IDocumentOperations ops, string? by = null)
    {
        var hold = await ops.LoadAsync<HeldOrder>(HeldOrder.IdOf(e.StreamKey!, orderId));
        if (hold is null) return; // an approved order cancelled: never was in the queue
        hold.Status = status;
        hold.ResolvedAt = e.Timestamp;
        hold.ResolvedBy = by ?? e.UserName;
        hold.Resolution = reason;
        ops.Store(hold);
    }
}
