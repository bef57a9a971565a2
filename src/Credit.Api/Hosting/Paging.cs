using System.Globalization;
using Credit.Api.Errors;

namespace Credit.Api.Hosting;

/// <summary>
/// Optional paging for the reports and lists a BI tool pulls whole (3,000 customers made ~0.5 MB answers):
/// <c>?limit=&amp;offset=</c> over the rows in their usual order, <c>X-Total-Count</c> always, and a <c>Link: rel="next"</c>
/// while rows remain. Without <c>limit</c>, every row, as before; totals stay over all rows.
/// </summary>
public static class Paging
{
    public const int MaxLimit = 10_000;

    /// <summary>A 400 for a bad limit or offset, else null.</summary>
    public static IResult? Invalid(int? limit, int? offset)
    {
        var errors = new List<(string, string)>();
        if (limit is < 1 or > MaxLimit) errors.Add(("limit", "INVALID_VALUE"));
        if (offset is < 0) errors.Add(("offset", "INVALID_VALUE"));
        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }

    public static IReadOnlyList<T> Slice<T>(IReadOnlyList<T> rows, int? limit, int? offset, HttpContext http)
    {
        var skip = offset ?? 0;
        if (limit is not { } take)
        {
            http.Response.Headers["X-Total-Count"] = rows.Count.ToString(CultureInfo.InvariantCulture);
            return skip == 0 ? rows : rows.Skip(skip).ToList();
        }
        Headers(http, rows.Count, skip, take);
        return rows.Skip(skip).Take(take).ToList();
    }

    /// <summary><c>X-Total-Count</c>, and the next page's <c>Link</c> while rows remain after this one.</summary>
    public static void Headers(HttpContext http, int total, int skip, int take)
    {
        http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        // In long: an offset near int.MaxValue wrapped round to a negative next offset, a page past the end linking on (sweep AR).
        var next = (long)skip + take;
        if (next >= total) return;
        var query = System.Web.HttpUtility.ParseQueryString(http.Request.QueryString.Value ?? "");
        query["offset"] = next.ToString(CultureInfo.InvariantCulture);
        query["limit"] = take.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.Link = $"<{http.Request.Path}?{query}>; rel=\"next\"";
    }
}
