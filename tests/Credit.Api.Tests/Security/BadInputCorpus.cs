using System.Text.Json;

namespace Credit.Api.Tests.Security;

/// <summary>
/// One bad request and what must come back. Url and Body are templates: {sar}, {kwd}, {jpy}, {limited}, {aux} are
/// the corpus customers; {new} a customer id nobody has used (a create), {missing} one that does not exist (a
/// command on an unknown customer), {newgroup} a group id nobody has used; {uid} a fresh document id, so a request
/// the API wrongly accepts never collides with another case. Stream: the stream that must not change (default:
/// the customer in the url); Absent: it must not exist afterwards.
/// </summary>
public sealed record BadCase(
    string Name,
    string Method,
    string Url,
    string? Body,
    int[] Statuses,
    string ContentType = "application/json",
    string? Code = null,
    string As = "controller",
    string? Stream = null,
    bool Absent = false);

/// <summary>A write endpoint and a valid body for it (field -> raw JSON), from which the bad variants are made.</summary>
public sealed record Form(string Label, string Method, string Url, (string Key, string Raw)[] Fields, string As = "controller")
{
    public string Valid => With();

    /// <summary>The valid body with one field replaced by a raw JSON literal (or removed, when null).</summary>
    public string With(string? key = null, string? raw = null, bool remove = false)
    {
        var fields = Fields.ToList();
        if (key is not null)
        {
            var at = fields.FindIndex(f => f.Key == key);
            if (remove) { if (at >= 0) fields.RemoveAt(at); }
            else if (at >= 0) fields[at] = (key, raw!);
            else fields.Add((key, raw!));
        }
        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Raw}")) + "}";
    }
}

public static class BadInputCorpus
{
    public static string Q(string s) => JsonSerializer.Serialize(s);

    // Valid requests on the corpus customers (see CorpusWorld for their state). The invoice is issued today
    // (2026-11-23 on the test clock) and due on issue, so one the API wrongly accepts is not yet overdue and cannot
    // make OVERDUE_INVOICES refuse or hold the documents of later cases.
    public static readonly Form NewCustomer = new("PUT customer (new)", "PUT", "/api/customers/{new}", [("name", Q("عميل جديد")), ("currency", Q("SAR"))]);
    public static readonly Form Order = new("POST orders", "POST", "/api/customers/{sar}/orders", [("orderId", Q("{uid}")), ("amount", "100")]);
    public static readonly Form Invoice = new("POST invoices", "POST", "/api/customers/{sar}/invoices",
        [("invoiceId", Q("{uid}")), ("amount", "100"), ("issuedOn", Q("2026-11-23"))]);
    public static readonly Form OverrideInvoice = new("POST invoices (override)", "POST", "/api/customers/{limited}/invoices",
        [("invoiceId", Q("{uid}")), ("amount", "1000"), ("override", """{"reason":"director approved"}""")]);
    public static readonly Form CreditNote = new("POST credit-notes", "POST", "/api/customers/{sar}/credit-notes",
        [("creditNoteId", Q("{uid}")), ("amount", "5"), ("reason", Q("returned goods"))]);
    public static readonly Form Payment = new("POST payments", "POST", "/api/customers/{sar}/payments", [("paymentId", Q("{uid}")), ("amount", "5")]);
    public static readonly Form Check = new("POST credit-check", "POST", "/api/customers/{sar}/credit-check", [("amount", "100"), ("kind", Q("invoice"))]);
    public static readonly Form CreditLimit = new("POST credit-limit", "POST", "/api/customers/{aux}/credit-limit", [("amount", "1000"), ("reason", Q("annual review"))]);
    public static readonly Form Terms = new("POST payment-terms", "POST", "/api/customers/{aux}/payment-terms",
        [("paymentTerms", """{"days":30}"""), ("reason", Q("agreed with customer"))]);
    public static readonly Form Hold = new("POST hold", "POST", "/api/customers/{aux}/hold", [("reason", Q("collections"))]);
    public static readonly Form Unhold = new("POST unhold", "POST", "/api/customers/{aux}/unhold", [("reason", Q("paid up"))]);
    public static readonly Form Release = new("POST order release", "POST", "/api/customers/{limited}/orders/OH/release", [("reason", Q("approved by controller"))]);
    public static readonly Form Reject = new("POST order reject", "POST", "/api/customers/{limited}/orders/OH/reject", [("reason", Q("too risky"))]);
    public static readonly Form Cancel = new("POST order cancel", "POST", "/api/customers/{sar}/orders/O1/cancel", [("reason", Q("customer cancelled"))]);
    public static readonly Form Reverse = new("POST payment reverse", "POST", "/api/customers/{sar}/payments/P1/reverse", [("reason", Q("cheque bounced"))]);
    public static readonly Form Group = new("PUT group (new)", "PUT", "/api/groups/{newgroup}", [("name", Q("مجموعة"))]);
    // Every policy body below differs from the defaults only by its bad field: accepted by mistake, it changes nothing.
    public static readonly Form Policy = new("PUT policy", "PUT", "/api/policy", [("graceDays", "0")]);

    /// <summary>Forms whose valid body the positive control sends to a fresh copy of the corpus customers.</summary>
    public static readonly Form[] ControlForms =
        [NewCustomer, Order, Invoice, OverrideInvoice, CreditNote, Payment, Check, CreditLimit, Terms, Hold, Unhold, Release, Reject, Cancel, Reverse, Group];

    private static readonly string TooLongId = new('x', 65);
    private static readonly string TooLongReason = new('ر', 501);

    public static IReadOnlyList<BadCase> All { get; } = Build();

    private static IReadOnlyList<BadCase> Build()
    {
        var cases = new List<BadCase>();
        void Add(Form f, string what, string? body, int[] statuses, string? code = null, string contentType = "application/json", string? As = null) =>
            cases.Add(new BadCase($"{f.Label}: {what}", f.Method, f.Url, body, statuses, contentType, code, As ?? f.As,
                Stream: f.Url.Contains("{new}") ? "{new}" : f.Url.Contains("{newgroup}") ? "~group~{newgroup}" : f.Url == "/api/policy" ? "~policy" : null,
                Absent: f.Url.Contains("{new}") || f.Url.Contains("{newgroup}")));
        int[] bad = [400];

        // --- Money: 0 < amount <= 1e12, at most the currency's minor-unit decimals, a JSON number.
        (string Raw, string What)[] amounts =
        [
            ("0", "0"), ("-0", "-0"), ("-1", "negative"), ("-0.01", "-0.01"), ("1000000000000.01", "1e12 + 0.01"), ("1e13", "1e13"),
            ("0.001", "3 decimals in SAR"), ("10.005", "10.005 in SAR"), ("1e-7", "1e-7"), (Q("abc"), "a string"), (Q("100"), "a numeric string"),
            ("null", "null"), (Q("NaN"), "\"NaN\""), (Q("Infinity"), "\"Infinity\""), ("1e400", "1e400 (huge exponent)"),
            ("-1e400", "-1e400"), ("79228162514264337593543950336", "beyond decimal range"), ("true", "true"), ("{}", "an object"), ("[100]", "an array"),
        ];
        foreach (var f in new[] { Order, Invoice, CreditNote, Payment, Check })
        {
            foreach (var (raw, what) in amounts) Add(f, $"amount = {what}", f.With("amount", raw), bad);
            Add(f, "amount missing", f.With("amount", remove: true), bad);
        }
        foreach (var (raw, what) in new[] { ("-1", "negative"), ("1000000000001", "above 1e12"), ("0.001", "3 decimals in SAR"), ("0.0001", "4 decimals"),
                     (Q("abc"), "a string"), ("1e400", "1e400"), ("1e-30", "1e-30 (0 to decimal)"), ("-1e-30", "-1e-30"),
                     ("1.0000000000000000000000000000001", "more digits than decimal holds") })
            Add(CreditLimit, $"amount = {what}", CreditLimit.With("amount", raw), bad);
        // Contradictions the command used to settle silently: the amount beside unlimited credit was dropped; an expiry
        // on an inherited limit was stored and never applied.
        Add(CreditLimit, "amount beside unlimited credit", CreditLimit.With("unlimited", "true"), bad);
        Add(CreditLimit, "expiresOn on an inherited limit", """{"amount":null,"expiresOn":"2027-06-30","reason":"temporary"}""", bad);
        Add(NewCustomer, "creditLimitExpiresOn without a limit of its own", NewCustomer.With("creditLimitExpiresOn", Q("2027-06-30")), bad);
        Add(NewCustomer, "creditLimit 1e-30", NewCustomer.With("creditLimit", "1e-30"), bad);
        Add(Policy, "defaultCreditLimit 1e-30", Policy.With("defaultCreditLimit", "1e-30"), bad);

        // Currencies with other minor units: KWD has 3 decimals (a 4th is refused), JPY none.
        foreach (var (f, raw, what) in new[]
                 {
                     (Order, "1.2345", "4 decimals in KWD"), (Invoice, "1.2345", "4 decimals in KWD"), (Payment, "0.0001", "4 decimals in KWD"),
                     (CreditNote, "1.2345", "4 decimals in KWD"), (Check, "1.2345", "4 decimals in KWD"),
                 })
            cases.Add(new BadCase($"{f.Label}: amount = {what}", f.Method, f.Url.Replace("{sar}", "{kwd}"), f.With("amount", raw), bad));
        foreach (var (f, raw, what) in new[]
                 {
                     (Order, "1.5", "1.5 in JPY"), (Invoice, "100.5", "100.5 in JPY"), (Payment, "0.1", "0.1 in JPY"),
                     (CreditNote, "0.5", "0.5 in JPY"), (Check, "1.5", "1.5 in JPY"),
                 })
            cases.Add(new BadCase($"{f.Label}: amount = {what}", f.Method, f.Url.Replace("{sar}", "{jpy}"), f.With("amount", raw), bad));

        // --- Ids in bodies: 1-64 of [A-Za-z0-9._-].
        (string Raw, string What)[] ids =
        [
            (Q(TooLongId), "65 characters"), (Q("has space"), "with a space"), (Q("a/b"), "with a slash"), (Q("a%2Fb"), "slash-encoded"),
            (Q("عميل-1"), "Arabic letters"), (Q("café"), "accented letter"), (Q(""), "empty"), ("null", "null"), ("123", "a number"),
            (Q("<script>"), "markup"), (Q("a\tb"), "with a tab"), (Q("."), "a dot"), (Q(".."), "two dots"), (Q("..."), "dots only"),
            // Regex "$" also matches before a final line feed: such ids were written, then the Location header threw (500).
            (Q("O1\n"), "ending in a line feed"), (Q(new string('a', 64) + "\n"), "64 characters and a line feed"),
        ];
        foreach (var (f, key) in new[] { (Order, "orderId"), (Invoice, "invoiceId"), (CreditNote, "creditNoteId"), (Payment, "paymentId") })
        {
            foreach (var (raw, what) in ids) Add(f, $"{key} {what}", f.With(key, raw), bad);
            Add(f, $"{key} missing", f.With(key, remove: true), bad);
        }
        Add(Invoice, "orderId with a space", Invoice.With("orderId", Q("has space")), bad);
        Add(Invoice, "orderId 65 characters", Invoice.With("orderId", Q(TooLongId)), bad);
        Add(CreditNote, "invoiceId with a slash", CreditNote.With("invoiceId", Q("a/b")), bad);
        Add(CreditNote, "invoiceId empty", CreditNote.With("invoiceId", Q("")), bad);
        Add(Check, "orderId Arabic letters", Check.With("orderId", Q("طلب")), bad);
        Add(NewCustomer, "groupId with a space", NewCustomer.With("groupId", Q("has space")), bad);
        Add(NewCustomer, "groupId 65 characters", NewCustomer.With("groupId", Q(TooLongId)), bad);
        Add(NewCustomer, "assignedTo holds a name no token may carry", NewCustomer.With("assignedTo", $"[{Q("alice")},{Q("system")}]"), bad);
        Add(NewCustomer, "assignedTo holds a name with a line break", NewCustomer.With("assignedTo", $"[{Q("bad\nuser")}]"), bad);
        Add(NewCustomer, "assignedTo holds an empty id", NewCustomer.With("assignedTo", $"[{Q("")}]"), bad);
        Add(NewCustomer, "assignedTo is a string, not a list", NewCustomer.With("assignedTo", Q("alice")), bad);
        Add(NewCustomer, "assignedTo names 101 users", NewCustomer.With("assignedTo",
            "[" + string.Join(",", Enumerable.Range(0, 101).Select(n => Q($"clerk-{n}"))) + "]"), bad);
        // Text read back on statements and queues: no control characters, no direction overrides.
        Add(NewCustomer, "name with a bell character", NewCustomer.With("name", Q("a\u0007b")), bad);
        Add(NewCustomer, "name with a right-to-left override", NewCustomer.With("name", Q("INV\u202E1-VNI")), bad);
        Add(Group, "name with an escape character", Group.With("name", Q("g\u001b[31m")), bad);
        Add(Hold, "reason with a bell character", Hold.With("reason", Q("on\u0007hold")), bad);

        // --- Dates: yyyy-mm-dd, a real calendar day.
        (string Raw, string What)[] dates =
        [
            (Q("2026-02-30"), "2026-02-30"), (Q("2026-13-01"), "2026-13-01"), (Q("tomorrow"), "\"tomorrow\""), ("20261101", "the number 20261101"),
            (Q("2026-11-01T00:00:00Z"), "a timestamp"), (Q("01/11/2026"), "dd/mm/yyyy"), (Q(""), "empty"), (Q("2026-1-1"), "2026-1-1"),
            // Real days outside the business range: 9999-12-31 plus a customer's terms overflowed the calendar (a 500).
            (Q("9999-12-31"), "9999-12-31"), (Q("0001-01-01"), "0001-01-01"), (Q("2200-01-01"), "2200-01-01"), (Q("1899-12-31"), "1899-12-31"),
        ];
        foreach (var (f, key) in new[]
                 {
                     (Order, "orderedOn"), (Invoice, "issuedOn"), (Invoice, "dueOn"), (Payment, "receivedOn"), (CreditNote, "issuedOn"),
                     (Reverse, "reversedOn"), (CreditLimit, "expiresOn"), (NewCustomer, "customerSince"),
                 })
            foreach (var (raw, what) in dates) Add(f, $"{key} = {what}", f.With(key, raw), bad);

        // --- Enumerations and codes.
        foreach (var (raw, what) in new[] { (Q("vendor"), "vendor"), (Q(""), "empty"), ("1", "a number") })
            Add(NewCustomer, $"kind = {what}", NewCustomer.With("kind", raw), bad);
        foreach (var (raw, what) in new[] { (Q("quote"), "quote"), (Q(""), "empty"), ("0", "a number") })
            Add(Check, $"kind = {what}", Check.With("kind", raw), bad);
        foreach (var (raw, what) in new[] { (Q("XXX"), "XXX"), (Q("sar"), "lower-case sar"), (Q(""), "empty"), (Q("SARS"), "SARS") })
            Add(NewCustomer, $"currency = {what}", NewCustomer.With("currency", raw), bad);
        Add(Policy, "currency = XXX", Policy.With("currency", Q("XXX")), bad);
        Add(Policy, "rule mode = deny", Policy.With("rules", """{"CREDIT_LIMIT_EXCEEDED":"deny"}"""), bad);
        Add(Policy, "rule NO_CREDIT switched off", Policy.With("rules", """{"NO_CREDIT":"off"}"""), bad);
        Add(Policy, "unknown rule", Policy.With("rules", """{"LATE_FEES":"block"}"""), bad);
        Add(Policy, "graceDays negative", Policy.With("graceDays", "-1"), bad);
        Add(Policy, "reminderDaysBefore 366", Policy.With("reminderDaysBefore", "366"), bad);
        Add(Policy, "agingBuckets not ascending", Policy.With("agingBuckets", "[60,30,90]"), bad);
        Add(Policy, "agingBuckets empty", Policy.With("agingBuckets", "[]"), bad);
        Add(Policy, "dsoWindowsMonths zero", Policy.With("dsoWindowsMonths", "[0]"), bad);
        Add(Policy, "dsoWindowsMonths twice the same", Policy.With("dsoWindowsMonths", "[3,3]"), bad);
        Add(Policy, "dsoWindowsMonths 13 windows", Policy.With("dsoWindowsMonths", "[" + string.Join(",", Enumerable.Range(1, 13)) + "]"), bad);
        Add(Policy, "agingBuckets 13 bounds", Policy.With("agingBuckets", "[" + string.Join(",", Enumerable.Range(1, 13).Select(i => i * 10)) + "]"), bad);
        Add(Policy, "defaultCreditLimit negative", Policy.With("defaultCreditLimit", "-1"), bad);
        Add(Policy, "orderReviewThreshold 4 decimals", Policy.With("orderReviewThreshold", "0.0001"), bad);
        // Company amounts are in the policy's currency (SAR here): three decimals are one too many.
        Add(Policy, "defaultCreditLimit 3 decimals in SAR", Policy.With("defaultCreditLimit", "1.234"), bad);
        Add(Policy, "orderReviewThreshold 3 decimals in SAR", Policy.With("orderReviewThreshold", "10.005"), bad);
        Add(Group, "sharedCreditLimit 3 decimals in SAR", Group.With("sharedCreditLimit", "1.001"), bad);
        Add(Group, "defaultCreditLimit 3 decimals in SAR", Group.With("defaultCreditLimit", "0.005"), bad);

        // --- Mutually exclusive fields.
        Add(Invoice, "dueOn together with installments", Invoice.With("dueOn", Q("2026-12-20"))[..^1] +
            ""","installments":[{"dueOn":"2026-12-20","amount":50},{"dueOn":"2027-01-20","amount":50}]}""", bad);

        // --- Installment schedules (invoice of 100 issued 2026-11-23).
        foreach (var (raw, what) in new[]
                 {
                     ("""[{"dueOn":"2026-12-20","amount":100}]""", "a single installment"),
                     ("[]", "an empty list"),
                     ("""[{"dueOn":"2026-12-20","amount":60},{"dueOn":"2027-01-20","amount":50}]""", "not summing to the amount"),
                     ("""[{"dueOn":"2027-01-20","amount":50},{"dueOn":"2026-12-20","amount":50}]""", "dates descending"),
                     ("""[{"dueOn":"2026-12-20","amount":50},{"dueOn":"2026-12-20","amount":50}]""", "the same date twice"),
                     ("""[{"dueOn":"2026-11-10","amount":50},{"dueOn":"2026-12-20","amount":50}]""", "one due before the issue date"),
                     ("""[{"dueOn":"2026-12-20","amount":0},{"dueOn":"2027-01-20","amount":100}]""", "a zero installment"),
                     ("""[{"dueOn":"2026-12-20","amount":-50},{"dueOn":"2027-01-20","amount":150}]""", "a negative installment"),
                     ("""[{"dueOn":"2026-12-20","amount":33.333},{"dueOn":"2027-01-20","amount":66.667}]""", "3 decimals in SAR"),
                     ("""[{"dueOn":"2026-12-20"},{"dueOn":"2027-01-20","amount":100}]""", "one without an amount"),
                     ("""[{"amount":50},{"dueOn":"2027-01-20","amount":50}]""", "one without a date"),
                     ("""[{"dueOn":"2026-02-30","amount":50},{"dueOn":"2027-01-20","amount":50}]""", "an impossible date"),
                     ("""[null,{"dueOn":"2027-01-20","amount":100}]""", "a null entry"),
                     ("""{"dueOn":"2026-12-20","amount":100}""", "an object, not a list"),
                 })
            Add(Invoice, $"installments {what}", Invoice.With("installments", raw), bad);

        // --- Allocations (payment of 100; I1 is an open invoice of the customer).
        var pay100 = new Form(Payment.Label, Payment.Method, Payment.Url, [("paymentId", Q("{uid}")), ("amount", "100")]);
        foreach (var (raw, what, statuses) in new (string, string, int[])[]
                 {
                     ("""[{"invoiceId":"NO-SUCH-INVOICE","amount":10}]""", "to an unknown invoice", [400, 404]),
                     ("""[{"invoiceId":"I1","amount":150}]""", "above the payment", [400, 409]),
                     ("""[{"invoiceId":"I1","amount":10},{"invoiceId":"I1","amount":10}]""", "naming one invoice twice", [400]),
                     ("""[{"invoiceId":"I1","amount":0}]""", "of zero", [400]),
                     ("""[{"invoiceId":"I1","amount":-10}]""", "negative", [400]),
                     ("""[{"invoiceId":"I1","amount":10.001}]""", "with 3 decimals in SAR", [400]),
                     ("""[{"invoiceId":"I1","amount":"abc"}]""", "with a string amount", [400]),
                     ("""[{"invoiceId":"bad id","amount":10}]""", "with a bad invoice id", [400]),
                     ("""[{"amount":10}]""", "without an invoice id", [400]),
                     ("[null]", "with a null entry", [400]),
                     ("""{"invoiceId":"I1","amount":10}""", "as an object, not a list", [400]),
                 })
            Add(pay100, $"allocation {what}", pay100.With("allocations", raw), statuses);
        var pay5000 = new Form(Payment.Label, Payment.Method, Payment.Url, [("paymentId", Q("{uid}")), ("amount", "5000")]);
        Add(pay5000, "allocation above what the invoice still owes", pay5000.With("allocations", """[{"invoiceId":"I1","amount":5000}]"""), [400, 409]);

        // --- Payment terms: exactly one of days, months, endOfMonthPlusDays, 0..3650.
        (string Raw, string What)[] terms =
        [
            ("""{"days":30,"months":1}""", "two kinds at once"), ("""{"days":-1}""", "negative days"), ("{}", "no kind"),
            ("""{"days":3651}""", "days above 3650"), ("""{"endOfMonthPlusDays":-5}""", "negative endOfMonthPlusDays"),
            ("""{"days":1.5}""", "fractional days"), ("""{"weeks":2}""", "an unknown kind"), (Q("30"), "a string"), ("""{"months":"abc"}""", "a string month count"),
        ];
        foreach (var f in new[] { Terms, Order, Check, NewCustomer })
            foreach (var (raw, what) in terms) Add(f, $"paymentTerms {what}", f.With("paymentTerms", raw), bad);
        Add(Terms, "paymentTerms missing", Terms.With("paymentTerms", remove: true), bad);
        // An order and an invoice meet different rules: the check must say which it is about.
        Add(Check, "kind missing", Check.With("kind", remove: true), bad);
        // A misspelt amount cleared the limit: left out, it is refused (null given inherits).
        Add(CreditLimit, "amount missing", CreditLimit.With("amount", remove: true), bad);

        // --- Reasons: required, at most 500 characters.
        var reasonForms = new[] { Hold, Unhold, Release, Reject, Cancel, Reverse, CreditLimit, Terms, CreditNote };
        foreach (var f in reasonForms)
        {
            Add(f, "reason of 501 characters", f.With("reason", Q(TooLongReason)), bad);
            Add(f, "reason only whitespace", f.With("reason", Q("   ")), bad);
            Add(f, "reason only invisible characters", f.With("reason", Q("\u200b\u200f\ufeff")), bad);
            Add(f, "reason missing", f.With("reason", remove: true), bad);
            Add(f, "reason a number", f.With("reason", "42"), bad);
            // PostgreSQL's jsonb cannot hold U+0000: it failed at the append (a 500).
            Add(f, "reason with a NUL character", f.With("reason", Q("cheque\0bounced")), bad);
        }
        Add(OverrideInvoice, "override reason with a NUL character", OverrideInvoice.With("override", $"{{\"reason\":{Q("ok\0")}}}"), bad);
        Add(NewCustomer, "name with a NUL character", NewCustomer.With("name", Q("a\0b")), bad);
        Add(Invoice, "invoiceId given twice", Invoice.With()[..^1] + $",\"invoiceId\":{Q("{uid}x")}}}", bad);
        Add(Payment, "amount given twice", Payment.With()[..^1] + ",\"amount\":5000}", bad);
        Add(NewCustomer, "assignedTo with a NUL character", NewCustomer.With("assignedTo", $"[{Q("al\0ice")}]"), bad);
        Add(Group, "name with a NUL character", Group.With("name", Q("a\0")), bad);
        Add(OverrideInvoice, "override reason of 501 characters", OverrideInvoice.With("override", $"{{\"reason\":{Q(TooLongReason)}}}"), bad);
        Add(OverrideInvoice, "override without a reason", OverrideInvoice.With("override", "{}"), bad);
        Add(OverrideInvoice, "override reason only whitespace", OverrideInvoice.With("override", """{"reason":"  "}"""), bad);
        Add(OverrideInvoice, "override reason only invisible characters", OverrideInvoice.With("override", """{"reason":"\u200b\u200e"}"""), bad);
        Add(NewCustomer, "name only invisible characters", NewCustomer.With("name", Q("\u200f\u200b\ufeff")), bad);
        Add(NewCustomer, "name only fillers that draw nothing", NewCustomer.With("name", Q("\u034f\u3164\u2800")), bad);
        Add(NewCustomer, "name only a tag space (a surrogate pair)", NewCustomer.With("name", Q("\U000E0020")), bad);
        Add(Group, "name only invisible characters", Group.With("name", Q("\u2060 \u200b")), bad);

        // --- Customer profile.
        Add(NewCustomer, "name missing", NewCustomer.With("name", remove: true), bad);
        Add(NewCustomer, "name only whitespace", NewCustomer.With("name", Q("  ")), bad);
        Add(NewCustomer, "name of 201 characters", NewCustomer.With("name", Q(new string('ن', 201))), bad);
        Add(NewCustomer, "creditLimit negative", NewCustomer.With("creditLimit", "-1"), bad);
        Add(NewCustomer, "creditLimit above 1e12", NewCustomer.With("creditLimit", "1000000000001"), bad);
        Add(NewCustomer, "creditLimit 3 decimals in SAR", NewCustomer.With("creditLimit", "100.001"), bad);
        Add(NewCustomer, "creditLimit a string", NewCustomer.With("creditLimit", Q("lots")), bad);
        Add(NewCustomer, "unlimitedCredit a string", NewCustomer.With("unlimitedCredit", Q("yes")), bad);
        Add(NewCustomer, "bypassCreditCheckAtOrder a number", NewCustomer.With("bypassCreditCheckAtOrder", "1"), bad);
        Add(NewCustomer, "creditLimit 1 decimal in JPY", NewCustomer.With("currency", Q("JPY"))[..^1] + ",\"creditLimit\":10.5}", bad);
        Add(NewCustomer, "creditLimit 4 decimals in KWD", NewCustomer.With("currency", Q("KWD"))[..^1] + ",\"creditLimit\":1.0001}", bad);
        Add(NewCustomer, "opening balance due before its date",
            NewCustomer.With("openingBalance", """{"amount":100,"asOf":"2026-06-01","dueOn":"2026-05-01"}"""), bad);
        Add(NewCustomer, "opening balance of zero", NewCustomer.With("openingBalance", """{"amount":0,"asOf":"2026-01-01","dueOn":"2026-01-31"}"""), bad);
        Add(NewCustomer, "opening balance negative", NewCustomer.With("openingBalance", """{"amount":-5,"asOf":"2026-01-01","dueOn":"2026-01-31"}"""), bad);
        Add(NewCustomer, "opening balance 3 decimals in SAR",
            NewCustomer.With("openingBalance", """{"amount":10.001,"asOf":"2026-01-01","dueOn":"2026-01-31"}"""), bad);
        Add(NewCustomer, "opening balance without its dates", NewCustomer.With("openingBalance", """{"amount":100}"""), bad);
        Add(NewCustomer, "opening balance with an impossible date",
            NewCustomer.With("openingBalance", """{"amount":100,"asOf":"2026-02-30","dueOn":"2026-03-31"}"""), bad);
        Add(Group, "name missing", Group.With("name", remove: true), bad);
        Add(Group, "name of 201 characters", Group.With("name", Q(new string('g', 201))), bad);
        Add(Group, "sharedCreditLimit negative", Group.With("sharedCreditLimit", "-100"), bad);
        Add(Group, "defaultCreditLimit above 1e12", Group.With("defaultCreditLimit", "1000000000000.5"), bad);
        Add(Group, "defaultCreditLimit 4 decimals", Group.With("defaultCreditLimit", "1.0001"), bad);

        // --- Empty objects: every required field missing at once.
        foreach (var f in new[] { NewCustomer, Order, Invoice, Payment, CreditNote, Check, Hold, Release, Reverse, CreditLimit, Group })
            Add(f, "empty object", "{}", bad);

        // --- Malformed JSON and wrong root types.
        foreach (var f in new[] { NewCustomer, Order, Invoice, Payment, CreditNote, Check, Hold, Release, Reverse, CreditLimit, Terms, Group, Policy })
        {
            var valid = f.Valid;
            Add(f, "truncated JSON", valid[..(valid.Length / 2)], bad);
            Add(f, "trailing comma", valid[..^1] + ",}", bad);
            Add(f, "single-quoted JSON", valid.Replace('"', '\''), bad);
            Add(f, "a comment before the body", "/* note */ " + valid, bad);
            Add(f, "root is an array", $"[{valid}]", bad);
            Add(f, "root is a number", "42", bad);
            Add(f, "root is a string", Q(valid), bad);
            Add(f, "root is null", "null", bad);
            Add(f, "empty body", "", bad);
            Add(f, "two JSON documents", valid + valid, bad);
        }

        // --- Wrong content types: only JSON is accepted.
        foreach (var f in new[] { NewCustomer, Order, Invoice, Payment, Hold, Group, Policy })
        {
            Add(f, "text/plain body", f.Valid, [415], "UNSUPPORTED_MEDIA_TYPE", "text/plain");
            Add(f, "application/xml body", "<request><amount>100</amount></request>", [415], "UNSUPPORTED_MEDIA_TYPE", "application/xml");
            Add(f, "form-urlencoded body", "amount=100&reason=x", [415], "UNSUPPORTED_MEDIA_TYPE", "application/x-www-form-urlencoded");
        }

        // --- Bodies over 1 MB are refused before they are read (otherwise valid requests).
        var padding = Q(new string('x', 1_100_000));
        foreach (var f in new[] { NewCustomer, Invoice, Payment, Hold, Group })
            Add(f, "body over 1 MB", f.With("padding", padding), [413], "PAYLOAD_TOO_LARGE");
        Add(NewCustomer, "name of over 1 MB", NewCustomer.With("name", padding), [413], "PAYLOAD_TOO_LARGE");

        // --- Bad state: duplicates with another body, wrong lifecycle step, unknown documents, credit refused.
        Add(Invoice, "I1 again with another amount", Invoice.With("invoiceId", Q("I1")), [409], "DUPLICATE_ID");
        Add(Order, "O1 again with another amount", Order.With("orderId", Q("O1")).Replace("\"amount\":100", "\"amount\":999"), [409], "DUPLICATE_ID");
        Add(Payment, "P1 again with another amount", Payment.With("paymentId", Q("P1")).Replace("\"amount\":5", "\"amount\":77"), [409], "DUPLICATE_ID");
        Add(CreditNote, "CN1 again with another amount", CreditNote.With("creditNoteId", Q("CN1")).Replace("\"amount\":5", "\"amount\":77"), [409], "DUPLICATE_ID");
        Add(Invoice, "against an unknown order", Invoice.With("orderId", Q("NO-SUCH-ORDER")), [404], "ORDER_NOT_FOUND");
        Add(Invoice, "against a cancelled order", Invoice.With("orderId", Q("OC")), [409], "INVALID_STATE");
        Add(Invoice, "dueOn before issuedOn", Invoice.With("dueOn", Q("2026-11-01")), bad);
        Add(OverrideInvoice, "refused without override", OverrideInvoice.With("override", remove: true), [409], "CREDIT_REFUSED");
        Add(OverrideInvoice, "override by a clerk", OverrideInvoice.Valid, [403], "FORBIDDEN", As: "clerk");
        Add(CreditNote, "against an unknown invoice", CreditNote.With("invoiceId", Q("NO-SUCH-INVOICE")), [404], "INVOICE_NOT_FOUND");
        Add(CreditNote, "above the invoice", CreditNote.With("invoiceId", Q("I1")).Replace("\"amount\":5", "\"amount\":5000"), [400, 409]);
        Add(CreditNote, "dated before its invoice", CreditNote.With("invoiceId", Q("I1"))[..^1] + ",\"issuedOn\":\"2026-10-01\"}", [400, 409]);
        Add(Reverse, "reversed before it was received", Reverse.With("reversedOn", Q("2026-11-01")), [400, 409]);
        Add(Check, "against an unknown order", Check.With("orderId", Q("NO-SUCH-ORDER")), [404], "ORDER_NOT_FOUND");
        cases.Add(new BadCase("POST order release: an approved order", "POST", "/api/customers/{sar}/orders/O1/release", Release.Valid, [409], Code: "INVALID_STATE"));
        cases.Add(new BadCase("POST order reject: an approved order", "POST", "/api/customers/{sar}/orders/O1/reject", Reject.Valid, [409], Code: "INVALID_STATE"));
        cases.Add(new BadCase("POST order cancel: a rejected order", "POST", "/api/customers/{limited}/orders/OR/cancel", Cancel.Valid, [409], Code: "INVALID_STATE"));
        cases.Add(new BadCase("POST order release: an unknown order", "POST", "/api/customers/{limited}/orders/NOPE/release", Release.Valid, [404], Code: "ORDER_NOT_FOUND"));
        cases.Add(new BadCase("POST order cancel: an unknown order", "POST", "/api/customers/{sar}/orders/NOPE/cancel", Cancel.Valid, [404], Code: "ORDER_NOT_FOUND"));
        cases.Add(new BadCase("POST payment reverse: an unknown payment", "POST", "/api/customers/{sar}/payments/NOPE/reverse", Reverse.Valid, [404], Code: "PAYMENT_NOT_FOUND"));
        cases.Add(new BadCase("PUT customer (existing): currency change after documents", "PUT", "/api/customers/{sar}",
            """{"name":"Corpus SAR","currency":"USD","unlimitedCredit":true}""", [409], Code: "CURRENCY_CHANGE_NOT_ALLOWED"));
        cases.Add(new BadCase("PUT customer (existing): another opening balance", "PUT", "/api/customers/{sar}",
            """{"name":"Corpus SAR","unlimitedCredit":true,"openingBalance":{"amount":999,"asOf":"2026-01-01","dueOn":"2026-12-31"}}""", [409],
            Code: "OPENING_BALANCE_ALREADY_RECORDED"));
        cases.Add(new BadCase("PUT customer (existing): a clerk raising the limit", "PUT", "/api/customers/{limited}",
            """{"name":"Corpus limited","creditLimit":1000000}""", [403], Code: "CONTROLLER_REQUIRED", As: "clerk"));
        foreach (var f in new[] { Order, Invoice, Payment, CreditNote, Check, CreditLimit, Hold })
            cases.Add(new BadCase($"{f.Label}: unknown customer", f.Method, f.Url.Replace("{sar}", "{missing}").Replace("{aux}", "{missing}"), f.Valid,
                [404], Code: "CUSTOMER_NOT_FOUND", Stream: "{missing}", Absent: true));
        foreach (var (url, code) in new[]
                 {
                     ("/api/customers/{missing}", "CUSTOMER_NOT_FOUND"), ("/api/customers/{sar}/orders/NOPE", "ORDER_NOT_FOUND"),
                     ("/api/customers/{sar}/invoices/NOPE", "INVOICE_NOT_FOUND"), ("/api/customers/{sar}/payments/NOPE", "PAYMENT_NOT_FOUND"),
                     ("/api/groups/NO-SUCH-GROUP", "GROUP_NOT_FOUND"), ("/api/customers/{missing}/balance", "CUSTOMER_NOT_FOUND"),
                 })
            cases.Add(new BadCase($"GET {url}: unknown", "GET", url, null, [404], Code: code, Stream: url.Contains("{missing}") ? "{missing}" : null,
                Absent: url.Contains("{missing}")));
        cases.Add(new BadCase("GET /api/no-such-route: unknown route", "GET", "/api/no-such-route", null, [404]));
        cases.Add(new BadCase("DELETE /api/customers/{id}: method not allowed", "DELETE", "/api/customers/{sar}", null, [405]));
        cases.Add(new BadCase("PATCH /api/customers/{id}: method not allowed", "PATCH", "/api/customers/{sar}", """{"name":"x"}""", [405]));
        cases.Add(new BadCase("POST /api/customers/{id}: method not allowed", "POST", "/api/customers/{sar}", """{"name":"x"}""", [405]));

        // --- Query parameters.
        foreach (var (url, what, role) in new[]
                 {
                     ("/api/holds?status=open", "status = open", "controller"), ("/api/holds?status=PENDING", "status = PENDING", "controller"),
                     ("/api/notifications?type=late", "type = late", "controller"), ("/api/notifications?customerId=bad%20id", "customerId with a space", "controller"),
                     ("/api/notifications?customerId=" + TooLongId, "customerId 65 characters", "controller"),
                     ("/api/notifications?limit=0", "limit = 0", "controller"), ("/api/notifications?limit=1001", "limit = 1001", "controller"),
                     ("/api/notifications?limit=abc", "limit = abc", "controller"), ("/api/notifications?limit=-5", "limit = -5", "controller"),
                     ("/api/customers/{sar}/statement?from=2026-02-30", "from = 2026-02-30", "controller"),
                     ("/api/customers/{sar}/statement?to=2026-13-01", "to = 2026-13-01", "controller"),
                     ("/api/customers/{sar}/statement?from=tomorrow", "from = tomorrow", "controller"),
                     ("/api/customers/{sar}/statement?from=20261101", "from = 20261101", "controller"),
                     ("/api/customers/{sar}/statement?from=2026-11-20&to=2026-11-01", "from after to", "controller"),
                     ("/api/customers/{sar}/statistics?asOf=tomorrow", "asOf = tomorrow", "controller"),
                     ("/api/customers/{sar}/statistics?asOf=2026-02-29", "asOf = 2026-02-29", "controller"),
                     ("/api/reports/aging?asOf=20261101", "asOf = 20261101", "controller"),
                     ("/api/reports/aging?asOf=2026-11-31", "asOf = 2026-11-31", "controller"),
                     ("/api/reports/dso?asOf=2026-13-01", "asOf = 2026-13-01", "controller"),
                     ("/api/reports/dso?asOf=yesterday", "asOf = yesterday", "controller"),
                     ("/api/reports/dso?asOf=0001-01-01", "asOf = 0001-01-01", "controller"),
                     ("/api/reports/dso?asOf=9999-12-31", "asOf = 9999-12-31", "controller"),
                     ("/api/reports/aging?asOf=9999-12-31", "asOf = 9999-12-31", "controller"),
                     ("/api/customers/{sar}/statistics?asOf=9999-12-31", "asOf = 9999-12-31", "controller"),
                     ("/api/customers/{sar}/statistics?asOf=0001-01-01", "asOf = 0001-01-01", "controller"),
                     ("/api/customers/{sar}/statement?to=9999-12-31", "to = 9999-12-31", "controller"),
                     ("/api/customers/{sar}/state?asOf=9999-12-31", "state asOf = 9999-12-31", "auditor"),
                     ("/api/customers/{sar}/state?asOf=0001-01-01T00:00:00Z", "state asOf = year 1 instant", "auditor"),
                     ("/api/customers/{sar}/history?format=xml", "format = xml", "auditor"),
                     ("/api/customers/{sar}/history?limit=0", "limit = 0", "auditor"),
                     ("/api/customers/{sar}/history?limit=10001", "limit = 10001", "auditor"),
                     ("/api/customers/{sar}/history?fromVersion=0", "fromVersion = 0", "auditor"),
                     ("/api/customers/{sar}/history?fromVersion=abc", "fromVersion = abc", "auditor"),
                     ("/api/customers/{sar}/state?version=0", "version = 0", "auditor"),
                     ("/api/customers/{sar}/state?version=abc", "version = abc", "auditor"),
                     ("/api/customers/{sar}/state?asOf=not-a-time", "asOf = not-a-time", "auditor"),
                     ("/api/customers/{sar}/state?asOf=2026-11-01&version=1", "asOf together with version", "auditor"),
                 })
        {
            var path = url[..url.IndexOf('?')];
            cases.Add(new BadCase($"GET {path}: {what}", "GET", url, null, bad, As: role));
        }
        cases.Add(new BadCase("GET /api/customers/{id}/state: version beyond the stream", "GET", "/api/customers/{sar}/state?version=999999", null, [404],
            Code: "VERSION_NOT_FOUND", As: "auditor"));

        // --- Ids in routes: the same rule as in bodies.
        (string Raw, string What)[] routeIds =
        [
            (TooLongId, "65 characters"), ("bad%20id", "with a space"), ("a%2Fb", "slash-encoded"), ("%D8%B9%D9%85%D9%8A%D9%84", "Arabic letters"),
            ("a%27%20or%20%271%27%3D%271", "SQL-ish quote"), ("%3Cscript%3E", "markup"), ("NL2%0A", "ending in a line feed"),
        ];
        foreach (var (raw, what) in routeIds)
        {
            var decoded = Uri.UnescapeDataString(raw);
            cases.Add(new BadCase($"PUT customer: route customerId {what}", "PUT", $"/api/customers/{raw}", NewCustomer.Valid, bad, Stream: decoded, Absent: true));
            cases.Add(new BadCase($"POST orders: route customerId {what}", "POST", $"/api/customers/{raw}/orders", Order.Valid, bad, Stream: decoded, Absent: true));
            cases.Add(new BadCase($"POST invoices: route customerId {what}", "POST", $"/api/customers/{raw}/invoices", Invoice.Valid, bad, Stream: decoded, Absent: true));
            cases.Add(new BadCase($"POST payments: route customerId {what}", "POST", $"/api/customers/{raw}/payments", Payment.Valid, bad, Stream: decoded, Absent: true));
            cases.Add(new BadCase($"GET balance: route customerId {what}", "GET", $"/api/customers/{raw}/balance", null, bad));
            cases.Add(new BadCase($"GET history: route customerId {what}", "GET", $"/api/customers/{raw}/history", null, bad, As: "auditor"));
            cases.Add(new BadCase($"POST order release: route orderId {what}", "POST", $"/api/customers/{{limited}}/orders/{raw}/release", Release.Valid, bad));
            cases.Add(new BadCase($"POST payment reverse: route paymentId {what}", "POST", $"/api/customers/{{sar}}/payments/{raw}/reverse", Reverse.Valid, bad));
            cases.Add(new BadCase($"GET invoice: route invoiceId {what}", "GET", $"/api/customers/{{sar}}/invoices/{raw}", null, bad));
            cases.Add(new BadCase($"PUT group: route groupId {what}", "PUT", $"/api/groups/{raw}", Group.Valid, bad, Stream: $"~group~{decoded}", Absent: true));
        }
        cases.Add(new BadCase("PUT customer: empty route customerId", "PUT", "/api/customers/", NewCustomer.Valid, [404, 405]));
        cases.Add(new BadCase("POST orders: empty route customerId", "POST", "/api/customers//orders", Order.Valid, [404, 405]));
        cases.Add(new BadCase("POST order cancel: empty route orderId", "POST", "/api/customers/{sar}/orders//cancel", Cancel.Valid, [404, 405]));
        cases.Add(new BadCase("PUT group: empty route groupId", "PUT", "/api/groups/", Group.Valid, [404, 405]));

        var duplicates = cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0) throw new InvalidOperationException("Duplicate case names: " + string.Join("; ", duplicates));
        return cases;
    }
}
