using System.Text.Json.Nodes;

namespace Credit.Api.Hosting;

/// <summary>
/// A valid request for each write, as a Saudi merchant would send it: what /docs offers to try and a generated client's
/// documentation shows. Each is sent by a test, so none can go stale.
/// </summary>
public static class ApiExamples
{
    public static readonly IReadOnlyDictionary<(string Method, string Route), string> Requests = new Dictionary<(string, string), string>
    {
        [("PUT", "/api/customers/{customerId}")] = """
            {"name":"الصحيفي للأجهزة الإلكترونية","currency":"SAR","creditLimit":10000,"paymentTerms":{"days":30},"assignedTo":["alice"]}
            """,
        [("POST", "/api/customers/{customerId}/credit-limit")] = """{"amount":15000,"expiresOn":"2027-06-30","reason":"رفع الحد بعد مراجعة السداد"}""",
        [("POST", "/api/customers/{customerId}/payment-terms")] = """{"paymentTerms":{"endOfMonthPlusDays":30},"reason":"agreed at contract renewal"}""",
        [("POST", "/api/customers/{customerId}/hold")] = """{"reason":"شيكات مرتجعة"}""",
        [("POST", "/api/customers/{customerId}/unhold")] = """{"reason":"تمت التسوية"}""",
        [("POST", "/api/customers/{customerId}/credit-check")] = """{"amount":1725,"kind":"order"}""",
        [("POST", "/api/customers/{customerId}/orders")] = """{"orderId":"SO-1001","amount":1725,"orderedOn":"2026-11-23"}""",
        [("POST", "/api/customers/{customerId}/orders/{orderId}/release")] = """{"reason":"عميل منتظم في السداد"}""",
        [("POST", "/api/customers/{customerId}/orders/{orderId}/reject")] = """{"reason":"overdue for 90 days"}""",
        [("POST", "/api/customers/{customerId}/orders/{orderId}/cancel")] = """{"reason":"customer changed the order"}""",
        [("POST", "/api/customers/{customerId}/invoices")] = """
            {"invoiceId":"INV-2026-0042","amount":1725,"issuedOn":"2026-11-23","installments":[{"dueOn":"2026-12-23","amount":862.5},{"dueOn":"2027-01-23","amount":862.5}]}
            """,
        [("POST", "/api/customers/{customerId}/payments")] = """{"paymentId":"CHQ-778","amount":862.5,"receivedOn":"2026-11-23","allocations":[{"invoiceId":"INV-2026-0042","amount":862.5}]}""",
        [("POST", "/api/customers/{customerId}/payments/{paymentId}/reverse")] = """{"reason":"شيك مرتجع لعدم كفاية الرصيد"}""",
        [("POST", "/api/customers/{customerId}/credit-notes")] = """{"creditNoteId":"CN-17","amount":115,"invoiceId":"INV-2026-0042","reason":"returned goods"}""",
        [("PUT", "/api/groups/{groupId}")] = """{"name":"مجموعة الصحيفي","defaultCreditLimit":20000,"sharedCreditLimit":50000}""",
        [("PUT", "/api/policy")] = """
            {"defaultCreditLimit":5000,"graceDays":5,"orderReviewThreshold":50000,"reminderDaysBefore":3,"agingBuckets":[30,60,90],
             "dsoWindowsMonths":[3,12],"currency":"SAR","rules":{"OVERDUE_INVOICES":"block","LIMIT_EXPIRED":"warn"}}
            """,
    };

    public static void Add(Microsoft.OpenApi.OpenApiDocument document)
    {
        foreach (var (route, path) in document.Paths)
            foreach (var (method, operation) in path.Operations ?? [])
                if (Requests.TryGetValue((method.Method, route), out var example)
                    && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                    body.Example = JsonNode.Parse(example);
    }
}
