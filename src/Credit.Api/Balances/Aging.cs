namespace Credit.Api.Balances;

public static class Aging
{
    /// <summary>Bucket names for the policy's bounds: current, d1_30, d31_60, d61_90, over90 for [30, 60, 90].</summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<int> bounds)
    {
        var names = new List<string> { "current" };
        var lower = 1;
        foreach (var upper in bounds) { names.Add($"d{lower}_{upper}"); lower = upper + 1; }
        names.Add($"over{bounds[^1]}");
        return names;
    }

    /// <summary>Open amounts by days past due at <paramref name="asOf"/>; not yet due is current.</summary>
    public static Dictionary<string, decimal> Buckets(IEnumerable<(DateOnly DueOn, decimal Open)> items, IReadOnlyList<int> bounds, DateOnly asOf)
    {
        var names = Names(bounds);
        var buckets = names.ToDictionary(n => n, _ => 0m);
        foreach (var (dueOn, open) in items)
        {
            var daysPastDue = asOf.DayNumber - dueOn.DayNumber;
            var index = daysPastDue <= 0 ? 0 : 1 + bounds.Count(b => daysPastDue > b);
            buckets[names[index]] += open;
        }
        return buckets;
    }
}
