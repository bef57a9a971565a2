using System.Globalization;
using System.Text;
using System.Text.Json;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Credit.Api.Audit;

public sealed record HistoryEntry(
    long Sequence, long Version, string Type, DateTimeOffset Timestamp, string? User, string? CorrelationId, string? Reason,
    object Data, string? Hash);

public static class GetHistoryEndpoint
{
    public const int DefaultPage = 1000;
    public const int MaxPage = 10_000;

    /// <summary>
    /// Every event of the account, oldest first, with who, when, correlation id, reason and its chain hash.
    /// Paged by version: <c>?fromVersion=1&amp;limit=1000</c>; a <c>Link: rel="next"</c> header points at the next
    /// page and <c>X-Total-Count</c> gives the number of events. <c>?format=csv</c> exports them all for Excel.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/history")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(HistoryEntry[]), 200)]
    public static Task<IResult> Get(string customerId, long? fromVersion, int? limit, string? format, HttpContext http,
        IQuerySession session, HashChain chain, IOptions<JsonOptions> json, CancellationToken ct) =>
        Answer(customerId, Problems.Result(404, ErrorCodes.CustomerNotFound), fromVersion, limit, format, http, session, chain, json, ct);

    /// <summary>
    /// One stream's history as JSON pages or CSV: a customer's, the company policy's or a group's. <paramref name="missing"/>:
    /// the answer when the stream does not exist (null: an empty history).
    /// </summary>
    public static async Task<IResult> Answer(string streamId, IResult? missing, long? fromVersion, int? limit, string? format,
        HttpContext http, IQuerySession session, HashChain chain, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var errors = new List<(string, string)>();
        if (fromVersion is < 1) errors.Add(("fromVersion", "INVALID_VALUE"));
        if (limit is < 1 or > MaxPage) errors.Add(("limit", "INVALID_VALUE"));
        format = format?.ToLowerInvariant();
        if (format is not (null or "json" or "csv")) errors.Add(("format", "INVALID_VALUE"));
        if (errors.Count > 0) return Problems.Validation(errors);

        var state = await session.Events.FetchStreamStateAsync(streamId, ct);
        if (state is null && missing is not null) return missing;
        var last = state?.Version ?? 0;

        if (format == "csv")
        {
            return Results.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
                await writer.WriteLineAsync("sequence,version,type,timestamp,user,correlationId,reason,data,hash");
                for (var from = fromVersion ?? 1; from <= last; from += MaxPage)
                {
                    foreach (var e in await Page(session, chain, streamId, from, MaxPage, ct))
                        await writer.WriteLineAsync(CsvLine(e, json.Value.SerializerOptions));
                }
            }, "text/csv; charset=utf-8", $"{streamId.Trim('~').Replace('~', '-')}-history.csv");
        }

        var start = fromVersion ?? 1;
        var size = limit ?? DefaultPage;
        // Past the end is an empty page, however far (fromVersion near long.MaxValue once overflowed into a 500).
        var page = start > last ? [] : await Page(session, chain, streamId, start, size, ct);
        http.Response.Headers["X-Total-Count"] = last.ToString(CultureInfo.InvariantCulture);
        if (start <= last - size)
            http.Response.Headers.Link = string.Create(CultureInfo.InvariantCulture,
                $"<{http.Request.Path}?fromVersion={start + size}&limit={size}>; rel=\"next\"");
        return Results.Ok(page);
    }

    public static async Task<IReadOnlyList<HistoryEntry>> Page(
        IQuerySession session, HashChain chain, string customerId, long fromVersion, int limit, CancellationToken ct)
    {
        var toVersion = fromVersion + limit - 1;
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == customerId && e.Version >= fromVersion && e.Version <= toVersion)
            .OrderBy(e => e.Version)
            .ToListAsync(ct);
        var hashes = await chain.Hashes(customerId, fromVersion, toVersion, ct);
        return events.Select(e => Entry(e, hashes.GetValueOrDefault(e.Version))).ToList();
    }

    /// <summary>The entry as an auditor reads it: the system's own release reason (kept in English in the event's data)
    /// in the request's language.</summary>
    public static HistoryEntry Entry(IEvent e, string? hash) =>
        new(e.Sequence, e.Version, e.EventType.Name, e.Timestamp, e.UserName, e.CorrelationId,
            Localization.Text.ReleaseReason(EventReasons.Of(e.Data), (e.Data as HoldReleased)?.By), e.Data, hash);

    private static string CsvLine(HistoryEntry e, JsonSerializerOptions options) => string.Join(',',
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.Version.ToString(CultureInfo.InvariantCulture),
        Csv(e.Type),
        e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        Csv(e.User),
        Csv(e.CorrelationId),
        Csv(e.Reason),
        Csv(JsonSerializer.Serialize(e.Data, e.Data.GetType(), options)),
        Csv(e.Hash));

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is escaped so Excel never runs a cell as a formula.</summary>
    public static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
