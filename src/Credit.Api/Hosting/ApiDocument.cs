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
            Tag(document);
            ApiExamples.Add(document);
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
            var authorize = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().ToList();
            // /health needs no token: no security requirement on it.
            if (authorize.Count == 0) operation.Security = [];
            var path = context.Description.RelativePath ?? "";
            var roles = authorize.Select(a => a.Roles).FirstOrDefault(r => r is not null);
            // Kept for the error answers, written once the document is whole (not serialised).
            if (roles is not null) (operation.Metadata ??= new Dictionary<string, object>())[RolesKey] = roles;
            Summarize(operation, path, roles);
            DescribeQuery(operation, path);
            return Task.CompletedTask;
        });
    }

    /// <summary>Where an operation keeps the roles that may call it, between its transformer and the document's.</summary>
    private const string RolesKey = "credit.roles";

    /// <summary>
    /// The XML comment is the whole story; the reference's sidebar wants a line. The summary keeps the first sentence, the
    /// description the whole text and who may call it (the role table, and the assignment rule for a customer's data).
    /// </summary>
    private static void Summarize(Microsoft.OpenApi.OpenApiOperation operation, string path, string? roles)
    {
        // XML comments come entity-encoded (&amp;) and broken over lines.
        var text = operation.Summary is { } summary
            ? System.Text.RegularExpressions.Regex.Replace(System.Net.WebUtility.HtmlDecode(summary), @"\s+", " ").Trim() : null;
        var who = roles is null ? "No token needed."
            : $"**Roles:** {string.Join(", ", roles.Split(',').Select(r => $"`{r.Trim()}`"))}."
              + (path.StartsWith("api/customers/", StringComparison.Ordinal) && roles.Contains(Auth.Roles.Clerk, StringComparison.Ordinal)
                  ? " A clerk only on customers assigned to it or to no one (else 403 CUSTOMER_NOT_ASSIGNED)." : "");
        operation.Description = text is null ? who : $"{text}\n\n{who}";
        if (text is null) return;
        var end = FirstSentenceEnd.Match(text);
        operation.Summary = end.Success && end.Index < 140 ? text[..(end.Index + 1)]
            : text.Length <= 140 ? text : text[..text.LastIndexOf(' ', 137)] + "…";
    }

    /// <summary>A full stop closing a sentence (not one inside "e.g." or a number).</summary>
    private static readonly System.Text.RegularExpressions.Regex FirstSentenceEnd = new(@"(?<!e\.g|i\.e|\d)\.(?=\s|$)");

    /// <summary>Each list's status filter, its default first.</summary>
    private static IReadOnlyList<string>? StatusesOf(string path) => path.TrimStart('/') switch // relative: "api/holds"
    {
        "api/holds" => Holds.ListHoldsEndpoint.Statuses,
        "api/customers" => Customers.ListCustomersEndpoint.Statuses,
        "api/customers/{customerId}/invoices" => Invoicing.ListInvoicesEndpoint.Statuses,
        "api/customers/{customerId}/orders" => Orders.ListOrdersEndpoint.Statuses,
        "api/customers/{customerId}/payments" => Payments.ListPaymentsEndpoint.Statuses,
        "api/customers/{customerId}/credit-notes" => CreditNotes.ListCreditNotesEndpoint.Statuses,
        _ => null,
    };

    /// <summary>Query parameters the endpoints take as text and parse themselves: their form and values.</summary>
    private static void DescribeQuery(Microsoft.OpenApi.OpenApiOperation operation, string path)
    {
        foreach (var parameter in operation.Parameters?.OfType<Microsoft.OpenApi.OpenApiParameter>() ?? [])
        {
            if (parameter.In != Microsoft.OpenApi.ParameterLocation.Query || parameter.Schema is not Microsoft.OpenApi.OpenApiSchema schema) continue;
            switch (parameter.Name)
            {
                case "from" or "to":
                    schema.Format = "date";
                    break;
                case "asOf":
                    parameter.Description ??= path.EndsWith("/state", StringComparison.Ordinal)
                        ? "an ISO-8601 timestamp, or a business date yyyy-mm-dd meaning the close of that day"
                        : "a business date yyyy-mm-dd (default today)";
                    if (!path.EndsWith("/state", StringComparison.Ordinal)) schema.Format = "date";
                    break;
                case "status" when StatusesOf(path) is { } statuses:
                    schema.Enum = [.. statuses.Select(v => (System.Text.Json.Nodes.JsonNode)JsonValue.Create(v))];
                    schema.Default = JsonValue.Create(statuses[0]);
                    break;
                case "type":
                    schema.Enum = [JsonValue.Create("due-soon"), JsonValue.Create("overdue")];
                    break;
                case "format":
                    schema.Enum = [JsonValue.Create("json"), JsonValue.Create("csv")];
                    break;
            }
        }
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

        // Lists of text (assignedTo, ordersHeldAgain): the element's schema came out empty and the list without items.
        if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Enumerable && info.ElementType == typeof(string))
            schema.Items ??= new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String };

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
        foreach (var (route, path) in document.Paths)
            foreach (var (method, operation) in path.Operations ?? [])
            {
                var statuses = new List<(int Status, string Description)>();
                if (operation.RequestBody is not null || operation.Parameters is { Count: > 0 })
                    statuses.Add((400, "VALIDATION_FAILED (field messages in `errors`, codes in `errorCodes`; also a value of the wrong type or form) or MALFORMED_JSON (a body that does not parse)"));
                if (operation.Security is not { Count: 0 })
                {
                    statuses.Add((401, "UNAUTHENTICATED: no token, or one that is expired or not ours"));
                    // The assignment rule binds clerks only: where a clerk may not call at all, FORBIDDEN says it.
                    var clerks = operation.Metadata?.TryGetValue(RolesKey, out var roles) == true
                        && ((string)roles).Split(',').Contains(Auth.Roles.Clerk);
                    statuses.Add((403, "FORBIDDEN (the role does not allow it)"
                        + (clerks && route.StartsWith("/api/customers/{customerId}", StringComparison.Ordinal)
                            ? ", CUSTOMER_NOT_ASSIGNED (a clerk, on a customer assigned to others)" : "")
                        + (route == "/api/customers/{customerId}" && method != HttpMethod.Get
                            ? ", CONTROLLER_REQUIRED (a clerk changing a credit setting of an existing customer)" : "")));
                }
                if (NotFound(route, method, operation) is { } missing) statuses.Add((404, missing));
                else operation.Responses?.Remove("404"); // the framework's guess for an endpoint that names nothing to miss
                if (Conflicts(route, method) is { } conflict) statuses.Add((409, conflict));
                if (operation.RequestBody is not null)
                {
                    statuses.Add((413, "PAYLOAD_TOO_LARGE"));
                    statuses.Add((415, "UNSUPPORTED_MEDIA_TYPE: send application/json"));
                }
                if (operation.Security is not { Count: 0 }) statuses.Add((429, "RATE_LIMITED: retry after `Retry-After` seconds"));
                // /health answers 503 with its own body (which part is down), not a problem.
                if (route != "/health")
                    statuses.Add((503, ReadsReadModels(route, method)
                        ? "DATABASE_UNAVAILABLE, or READ_MODELS_REBUILDING while an admin rebuilds them: retry after `Retry-After` seconds"
                        : "DATABASE_UNAVAILABLE: retry after `Retry-After` seconds"));

                operation.Responses ??= new Microsoft.OpenApi.OpenApiResponses();
                // A create's 200 is its repeat (the contract's idempotency), which "OK" did not say.
                if (operation.Responses.ContainsKey("201") && operation.Responses.TryGetValue("200", out var repeat)
                    && repeat is Microsoft.OpenApi.OpenApiResponse repeated)
                    repeated.Description = "The same create again (same id and body): the original result, no new event";
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

    /// <summary>The 404s an operation can give: the resource each path id names, and the ones its body or query may name.</summary>
    private static string? NotFound(string route, HttpMethod method, Microsoft.OpenApi.OpenApiOperation operation)
    {
        var codes = new List<string>();
        // A PUT creates what its path names; only what it names besides can be missing.
        var creates = method == HttpMethod.Put;
        foreach (var (id, code) in new[] { ("{customerId}", "CUSTOMER_NOT_FOUND"), ("{groupId}", "GROUP_NOT_FOUND"), ("{orderId}", "ORDER_NOT_FOUND"),
                     ("{invoiceId}", "INVOICE_NOT_FOUND"), ("{paymentId}", "PAYMENT_NOT_FOUND"), ("{creditNoteId}", "CREDIT_NOTE_NOT_FOUND") })
            if (route.Contains(id, StringComparison.Ordinal) && !creates) codes.Add(code);
        if (operation.Parameters?.Any(p => p is { In: Microsoft.OpenApi.ParameterLocation.Query, Name: "customerId" }) == true)
            codes.Add("CUSTOMER_NOT_FOUND (the `customerId` asked for)");
        if (route.EndsWith("/state", StringComparison.Ordinal)) codes.AddRange(["VERSION_NOT_FOUND", "NOT_YET_OPENED (before the account was opened)"]);
        // Only a write has a body naming other documents (the lists under the same paths have none).
        var writes = method == HttpMethod.Post;
        if (writes && (route.EndsWith("/invoices", StringComparison.Ordinal) || route.EndsWith("/credit-check", StringComparison.Ordinal)))
            codes.Add("ORDER_NOT_FOUND (the `orderId` the body names)");
        if (writes && (route.EndsWith("/credit-notes", StringComparison.Ordinal) || route.EndsWith("/payments", StringComparison.Ordinal)))
            codes.Add("INVOICE_NOT_FOUND (an invoice the body names)");
        if (route == "/api/customers/{customerId}" && creates) codes.Add("GROUP_NOT_FOUND (the `groupId` the body names)");
        return codes.Count == 0 ? null : string.Join(", ", codes.Distinct());
    }

    /// <summary>The 409s a write can give, by what it does.</summary>
    private static string? Conflicts(string route, HttpMethod method)
    {
        if (method == HttpMethod.Get) return null;
        var segment = route[(route.LastIndexOf('/') + 1)..];
        var codes = segment switch
        {
            "invoices" => "CREDIT_REFUSED (with `reasons`, `warnings`, `currency`, `exposure`, `limit`, `available`, `limitSource`, in a pool `group`, when invoices are overdue `overdue`), "
                + "DUPLICATE_ID, INVALID_STATE (the order named is held, rejected, cancelled or invoiced), NOT_A_CUSTOMER (a supplier-only contact)",
            "orders" => "DUPLICATE_ID, NOT_A_CUSTOMER (a supplier-only contact)",
            "payments" or "credit-notes" => "DUPLICATE_ID",
            "release" => "INVALID_STATE (the order is not held), NOT_A_CUSTOMER",
            "reject" or "cancel" => "INVALID_STATE (the order is not in a state this applies to; `detail` says which)",
            "credit-check" => "NOT_A_CUSTOMER",
            "rebuild" => "REBUILD_RUNNING, READ_MODELS_IN_USE (a reporting reader holds the tables: try again)",
            "{customerId}" => "CURRENCY_CHANGE (documents recorded), OPENING_BALANCE_ALREADY_RECORDED (another one)",
            _ => null,
        };
        // Any write can meet a competing one on the same account or setting more often than it retries.
        return codes is null ? "CONCURRENCY_CONFLICT (retry)" : $"{codes}, CONCURRENCY_CONFLICT (retry)";
    }

    /// <summary>The reads answered from the read models (which a rebuild replaces), not from the accounts.</summary>
    private static bool ReadsReadModels(string route, HttpMethod method) => method == HttpMethod.Get
        && (route.EndsWith("/balance", StringComparison.Ordinal) || route.EndsWith("/statement", StringComparison.Ordinal)
            || route.EndsWith("/statistics", StringComparison.Ordinal) || route.StartsWith("/api/reports/", StringComparison.Ordinal)
            || route == "/api/holds" || route == "/api/notifications");

    /// <summary>Operations grouped by what they are for (the generator tagged them with class names).</summary>
    private static void Tag(Microsoft.OpenApi.OpenApiDocument document)
    {
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (route, path) in document.Paths)
            foreach (var (_, operation) in path.Operations ?? [])
            {
                var tag = TagOf(route);
                used.Add(tag);
                operation.Tags = new HashSet<Microsoft.OpenApi.OpenApiTagReference> { new(tag, document) };
            }
        document.Tags = new HashSet<Microsoft.OpenApi.OpenApiTag>(used.Select(t => new Microsoft.OpenApi.OpenApiTag { Name = t }));
    }

    private static string TagOf(string route)
    {
        var segment = route.TrimEnd('/')[(route.TrimEnd('/').LastIndexOf('/') + 1)..];
        if (route.Contains("/history", StringComparison.Ordinal) || segment == "state") return "Audit";
        if (route.StartsWith("/api/customers/{customerId}/orders", StringComparison.Ordinal) || route == "/api/holds") return "Orders and holds";
        return segment switch
        {
            "invoices" or "{invoiceId}" => "Invoices",
            "payments" or "{paymentId}" or "reverse" or "apply-credit" => "Payments",
            "credit-notes" => "Credit notes",
            "credit-limit" or "payment-terms" or "hold" or "unhold" or "credit-check" => "Credit control",
            "balance" or "statement" or "statistics" => "Read models",
            "aging" or "dso" => "Reports",
            "notifications" => "Reminders",
            "policy" => "Policy",
            "groups" or "{groupId}" => "Groups",
            "customers" or "{customerId}" => "Customers",
            _ => "Operations", // health, projections
        };
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
