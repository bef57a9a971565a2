using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text;
using System.Text.Json.Nodes;
using Credit.Domain.Policy;
using Microsoft.AspNetCore.OpenApi;

namespace Credit.Api.Hosting;

/// <summary>
/// The OpenAPI document's front page: what every endpoint shares (conventions, roles, reason and error codes), the
/// codes listed from the message resources themselves so the list cannot fall behind the code. Endpoint summaries come
/// from their XML comments.
/// </summary>
public static class ApiDocument
{
    public static void Describe(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CreditLedger API";
            document.Info.Version = "v1";
            document.Info.Description = FrontPage();
            // Bearer JWT for every operation but /health, /openapi and /docs, so generated clients send the token.
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>
            {
                ["Bearer"] = new Microsoft.OpenApi.OpenApiSecurityScheme
                {
                    Type = Microsoft.OpenApi.SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                    Description = "role claims: clerk, controller, auditor, reporter, admin; the subject is the user recorded on events",
                },
            };
            document.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
            DescribeProblems(document);
            DescribePagesAndExports(document);
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            DescribeShape(schema, context.JsonTypeInfo, context.JsonPropertyInfo);
            return Task.CompletedTask;
        });
        // Wolverine fills an endpoint's description with its operation id: noise beside the summary.
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (operation.Description == operation.OperationId) operation.Description = null;
            if (operation.Summary == operation.OperationId) operation.Summary = null;
            // /health needs no token: no security requirement on it.
            if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any())
                operation.Security = [];
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// What the schema generator cannot see: our converters write amounts, dates and text, so their schemas came out
    /// without a type; and a record's nullable parameters (issuedOn, orderId, installments...) were listed as required,
    /// so a client generated from the document had to send them.
    /// </summary>
    private static void DescribeShape(Microsoft.OpenApi.OpenApiSchema schema, System.Text.Json.Serialization.Metadata.JsonTypeInfo info,
        System.Text.Json.Serialization.Metadata.JsonPropertyInfo? property)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        var orNull = type != info.Type && !(property is not null && IsRequired(property)) ? Microsoft.OpenApi.JsonSchemaType.Null : 0;
        if (type == typeof(decimal)) (schema.Type, schema.Format) = (Microsoft.OpenApi.JsonSchemaType.Number | orNull, null);
        else if (type == typeof(DateOnly)) (schema.Type, schema.Format) = (Microsoft.OpenApi.JsonSchemaType.String | orNull, "date");
        else if (type == typeof(DateTimeOffset)) (schema.Type, schema.Format) = (Microsoft.OpenApi.JsonSchemaType.String | orNull, "date-time");
        else if (type == typeof(string))
        {
            schema.Type ??= Microsoft.OpenApi.JsonSchemaType.String;
            // string? (groupId, orderId, reason, problemCode...): null is a value a client must accept or send.
            if (property is { IsGetNullable: true } or { IsSetNullable: true } && !IsRequired(property))
                schema.Type |= Microsoft.OpenApi.JsonSchemaType.Null;
        }

        if (property?.AttributeProvider?.GetCustomAttributes(typeof(OneOfAttribute), inherit: true) is [OneOfAttribute oneOf, ..])
        {
            // A map's values (a rule's mode) or the field itself; null among the values where the field may be null.
            var values = oneOf.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
            if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Dictionary)
                schema.AdditionalProperties = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Enum = values };
            else
            {
                if (schema.Type?.HasFlag(Microsoft.OpenApi.JsonSchemaType.Null) == true) values.Add(null!); // written as JSON null
                schema.Enum = values;
            }
        }

        if (schema.Required is not { Count: > 0 } required) return;
        foreach (var member in info.Properties)
            if ((Nullable.GetUnderlyingType(member.PropertyType) is not null || member.IsSetNullable) && !IsRequired(member))
                required.Remove(member.Name);
    }

    /// <summary>
    /// The error answers, so a generated client can read a refusal's figures or a field's error codes: one problem
    /// schema, listed under the statuses each operation can give (ids and bodies are validated, every path names a
    /// resource that may not exist, writes may conflict, every caller is rate limited and the database may be away).
    /// Run last: document transformers see every operation, and anonymous ones carry an empty security list.
    /// </summary>
    private static void DescribeProblems(Microsoft.OpenApi.OpenApiDocument document)
    {
        document.Components!.Schemas ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSchema>();
        document.Components.Schemas["Problem"] = ProblemSchema();
        // The framework's problem schemas, which only its 400s referred to (replaced below).
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        document.Components.Schemas.Remove("ProblemDetails");
        var problem = new Microsoft.OpenApi.OpenApiSchemaReference("Problem", document);
        foreach (var (_, path) in document.Paths)
            foreach (var (method, operation) in path.Operations ?? [])
            {
                var statuses = new List<(int Status, string Description)>();
                var hasPathIds = operation.Parameters?.Any(p => p.In == Microsoft.OpenApi.ParameterLocation.Path) == true;
                if (operation.RequestBody is not null || operation.Parameters is { Count: > 0 })
                    statuses.Add((400, "VALIDATION_FAILED (field messages in `errors`, codes in `errorCodes`; also a value of the wrong type or form) or MALFORMED_JSON (a body that does not parse)"));
                if (operation.Security is not { Count: 0 })
                {
                    statuses.Add((401, "UNAUTHENTICATED: no token, or one that is expired or not ours"));
                    statuses.Add((403, "FORBIDDEN: the role or the customer's assignment does not allow it"));
                }
                if (hasPathIds) statuses.Add((404, "NOT_FOUND, NOT_A_CUSTOMER..."));
                if (method != HttpMethod.Get)
                    statuses.Add((409, "CREDIT_REFUSED (with `reasons`, `currency`, `exposure`, `limit`, `available`), DUPLICATE_ID, a state that does not allow it, CONCURRENCY_CONFLICT"));
                if (operation.RequestBody is not null)
                {
                    statuses.Add((413, "PAYLOAD_TOO_LARGE"));
                    statuses.Add((415, "UNSUPPORTED_MEDIA_TYPE: send application/json"));
                }
                if (operation.Security is not { Count: 0 }) statuses.Add((429, "RATE_LIMITED: retry after `Retry-After` seconds"));
                statuses.Add((503, "DATABASE_UNAVAILABLE: retry after `Retry-After` seconds"));

                operation.Responses ??= new Microsoft.OpenApi.OpenApiResponses();
                foreach (var (status, description) in statuses)
                    // Replacing the framework's 400 (HttpValidationProblemDetails, without our code and errorCodes).
                    operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = new Microsoft.OpenApi.OpenApiResponse
                    {
                        Description = description,
                        Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                        {
                            ["application/problem+json"] = new() { Schema = problem },
                        },
                    };
            }
    }

    /// <summary>
    /// What the schema of a body cannot say: lists paged by offset (reports, holds) or by version (histories) answer with
    /// their row count and the next page's address in headers, and histories export as CSV with <c>format=csv</c>.
    /// </summary>
    private static void DescribePagesAndExports(Microsoft.OpenApi.OpenApiDocument document)
    {
        foreach (var (path, item) in document.Paths)
            foreach (var (_, operation) in item.Operations ?? [])
            {
                var parameters = operation.Parameters?.Select(p => p.Name).ToHashSet() ?? [];
                if (operation.Responses?.TryGetValue("200", out var ok) != true || ok is not Microsoft.OpenApi.OpenApiResponse success) continue;
                var byOffset = parameters.Contains("offset") && !path.EndsWith("/state", StringComparison.Ordinal);
                if (byOffset || parameters.Contains("fromVersion"))
                {
                    success.Headers ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiHeader>();
                    success.Headers["X-Total-Count"] = new Microsoft.OpenApi.OpenApiHeader
                    {
                        Description = byOffset ? "rows over all pages" : "events in the history",
                        Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Integer },
                    };
                    success.Headers["Link"] = new Microsoft.OpenApi.OpenApiHeader
                    {
                        Description = "`<next page's address>; rel=\"next\"` while there is a next page",
                        Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String },
                    };
                }
                if (parameters.Contains("format"))
                {
                    success.Content ??= new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>();
                    success.Content["text/csv"] = new Microsoft.OpenApi.OpenApiMediaType
                    {
                        Schema = new Microsoft.OpenApi.OpenApiSchema
                            { Type = Microsoft.OpenApi.JsonSchemaType.String, Description = "format=csv: every event, UTF-8 with BOM, RFC 4180" },
                    };
                }
            }
    }

    private static Microsoft.OpenApi.OpenApiSchema ProblemSchema()
    {
        static Microsoft.OpenApi.OpenApiSchema Of(Microsoft.OpenApi.JsonSchemaType type, string description, string? format = null) =>
            new() { Type = type, Description = description, Format = format };
        var text = Microsoft.OpenApi.JsonSchemaType.String;
        var number = Microsoft.OpenApi.JsonSchemaType.Number;
        var reason = new Microsoft.OpenApi.OpenApiSchema
        {
            Type = Microsoft.OpenApi.JsonSchemaType.Object,
            Required = new HashSet<string> { "code", "message" },
            Properties = new Dictionary<string, Microsoft.OpenApi.IOpenApiSchema>
            {
                ["code"] = Of(text, "reason code"), ["message"] = Of(text, "its meaning in the request's language"),
            },
        };
        // field -> list of texts (errors, errorCodes)
        Microsoft.OpenApi.OpenApiSchema FieldLists(string description) => new()
        {
            Type = Microsoft.OpenApi.JsonSchemaType.Object, Description = description,
            AdditionalProperties = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Array, Items = Of(text, "") },
        };
        return new Microsoft.OpenApi.OpenApiSchema
        {
            Type = Microsoft.OpenApi.JsonSchemaType.Object,
            Description = "RFC 9457 problem details with a stable `code` and a `message` in the request's language.",
            Required = new HashSet<string> { "type", "title", "status", "code", "message" },
            Properties = new Dictionary<string, Microsoft.OpenApi.IOpenApiSchema>
            {
                ["type"] = Of(text, "a URI naming the problem", "uri"),
                ["title"] = Of(text, "the HTTP status's title"),
                ["status"] = Of(Microsoft.OpenApi.JsonSchemaType.Integer, "the HTTP status"),
                ["code"] = Of(text, "stable machine code, e.g. CREDIT_REFUSED, VALIDATION_FAILED, DUPLICATE_ID (all listed on the front page)"),
                ["message"] = Of(text, "the code's meaning in the request's language"),
                ["detail"] = Of(text, "this occurrence, e.g. a refusal's reasons and figures, ready to show"),
                ["instance"] = Of(text, "the request the problem is about (on problems the framework writes)"),
                ["traceId"] = Of(text, "the request's trace id, for the logs (on problems the framework writes)"),
                ["errors"] = FieldLists("400: field -> messages"),
                ["errorCodes"] = FieldLists("400: field -> error codes"),
                ["reasons"] = new Microsoft.OpenApi.OpenApiSchema
                    { Type = Microsoft.OpenApi.JsonSchemaType.Array, Items = reason, Description = "CREDIT_REFUSED: every failing rule" },
                ["warnings"] = new Microsoft.OpenApi.OpenApiSchema
                    { Type = Microsoft.OpenApi.JsonSchemaType.Array, Items = reason, Description = "CREDIT_REFUSED: rules set to warn that also fail" },
                ["currency"] = Of(text, "CREDIT_REFUSED: the currency of the figures"),
                ["exposure"] = Of(number, "CREDIT_REFUSED: the exposure before this document"),
                ["limit"] = Of(number | Microsoft.OpenApi.JsonSchemaType.Null, "CREDIT_REFUSED: the effective limit, null when unlimited"),
                ["available"] = Of(number | Microsoft.OpenApi.JsonSchemaType.Null, "CREDIT_REFUSED: limit - exposure, null when unlimited"),
                ["limitSource"] = new Microsoft.OpenApi.OpenApiSchema
                {
                    Type = text, Description = "CREDIT_REFUSED: where the limit comes from",
                    Enum = [JsonValue.Create("customer"), JsonValue.Create("group"), JsonValue.Create("company"), JsonValue.Create("none")],
                },
                ["group"] = new Microsoft.OpenApi.OpenApiSchema
                    { Type = Microsoft.OpenApi.JsonSchemaType.Object, Description = "CREDIT_REFUSED in a pool: the pool's own limit, exposure and available" },
            },
        };
    }

    private static bool IsRequired(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) =>
        property.AttributeProvider?.IsDefined(typeof(Required), inherit: true) == true;

    private static string FrontPage()
    {
        var messages = new ResourceManager("Credit.Api.Localization.Messages", typeof(ApiDocument).Assembly)
            .GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!
            .Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        var reasons = ReasonCodes.AlwaysBlocking.Concat(ReasonCodes.Configurable).ToList();

        var page = new StringBuilder("""
            Customer credit management: credit limits (customer, group, company), shared group pools, payment terms and
            installments, orders held for review, invoices refused or issued, payments and reversals, credit notes,
            reminders, read models (balance, statement, statistics, aging and DSO reports) and a tamper-evident history.

            **Conventions.** JSON in and out (camelCase). Dates are business dates `yyyy-mm-dd` (1900-01-01..2199-12-31),
            timestamps ISO-8601 UTC. Money is a JSON number in the account's currency with at most its minor-unit decimals,
            0 < amount ≤ 1e12. Ids are 1-64 of `[A-Za-z0-9._-]`. Repeating a create with the same id and body answers as the
            first time (no new event); the same id with another body is `409 DUPLICATE_ID`. Errors are
            `application/problem+json` with a stable `code` and a `message` in the request's language (`Accept-Language: ar`
            or `en`); validation errors (400) name each field in `errors` (messages) and `errorCodes`. While the database is
            unavailable: `503 DATABASE_UNAVAILABLE` with `Retry-After`.

            **Roles** (JWT bearer, `role` claims): `clerk` (customers, orders, invoices, payments, credit notes: its own or
            unassigned customers), `controller` (also limits, terms, policy, groups, holds, releases, overrides), `auditor`
            (reads everything, history and time travel), `reporter` (read models and reports), `admin` (everything).

            ### Credit reason codes

            """);
        page.Append(CultureInfo.InvariantCulture,
            $"{string.Join(", ", ReasonCodes.AlwaysBlocking.Select(c => $"`{c}`"))} always block; the others block, warn or are off by policy.\n\n");
        page.Append("| code | meaning |\n|---|---|\n");
        foreach (var code in reasons)
            page.Append(CultureInfo.InvariantCulture, $"| `{code}` | {messages.GetValueOrDefault(code, "")} |\n");
        page.Append("\n### Error codes\n\n| code | meaning |\n|---|---|\n");
        foreach (var (code, text) in messages.Where(m => !reasons.Contains(m.Key)).OrderBy(m => m.Key, StringComparer.Ordinal))
            page.Append(CultureInfo.InvariantCulture, $"| `{code}` | {text.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        return page.ToString();
    }
}
