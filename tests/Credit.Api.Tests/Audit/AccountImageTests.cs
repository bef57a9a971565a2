using System.Collections;
using System.Reflection;
using System.Text.Json;
using Credit.Api.Accounts;
using Credit.Domain.Accounts;
using Shouldly;

namespace Credit.Api.Tests.Audit;

public class AccountImageTests
{
    private static readonly DateOnly On = new(2026, 11, 1);

    /// <summary>Every stored property of every type in the account set to something other than its default, so a
    /// field the image forgets shows up as a difference after the round trip.</summary>
    private static CreditAccount Everything()
    {
        var account = new CreditAccount
        {
            Id = "C1", Version = 7, Profile = new("عميل", "G1", "KWD", ContactKind.Both, ["alice", "bob"], true, On.AddYears(-2)),
            CreditLimit = 1000.125m, UnlimitedCredit = true, CreditLimitExpiresOn = On.AddDays(90),
            PaymentTerms = new(Days: 30, Months: 2, EndOfMonthPlusDays: 15), OnHold = true, HoldReason = "check", FirstDocumentOn = On.AddDays(-40),
            UnappliedCredit = 12.5m, Sequence = 99,
        };
        account.Receivables["I1"] = new Receivable
        {
            Id = "I1", Amount = 200m, IssuedOn = On, DueOn = On.AddDays(60), OrderId = "O0", Sequence = 4, Fingerprint = "fp1",
            Installments = [new() { No = 1, DueOn = On.AddDays(30), Amount = 100m, Settled = 100m, CreditSettled = 1m }, new() { No = 2, DueOn = On.AddDays(60), Amount = 100m, Settled = 20m, CreditSettled = 4.5m }],
            Warnings = ["OVERDUE_INVOICES"], Override = new("ok", "boss", ["CREDIT_LIMIT_EXCEEDED"]), Credited = 5m,
        };
        account.Orders["O1"] = new OrderState
        {
            Id = "O1", Amount = 50m, OrderedOn = On, PaymentTerms = new(Months: 1, Days: 3, EndOfMonthPlusDays: 4), Status = OrderStatus.Held,
            Sequence = 6, Fingerprint = "fp3", Reasons = ["ORDER_VALUE_REVIEW"], Warnings = ["NEAR_LIMIT"], Unchecked = true, GrantedAt = 5, HeldSince = 4, SpareAtGrant = 12.5m, PoolSpareAtGrant = -7.25m,
            ReasonsNow = ["NO_CREDIT"], WarningsNow = ["OVERDUE_INVOICES"],
        };
        account.Payments["P1"] = new PaymentState
        {
            Id = "P1", Amount = 150m, ReceivedOn = On, Settlements = [new("I1", 1, 100m), new("I1", 2, 20m)], OwnSettlements = 1, Unapplied = 30m, Fingerprint = "fp2",
            Reversed = true, ReversedOn = On.AddDays(1), ReversalReason = "bounced", ReceivedAt = 3, HeldAgain = ["O-1", "O-2"],
        };
        account.CreditNotes["N1"] = new CreditNoteState
        {
            Id = "N1", Amount = 5m, IssuedOn = On, InvoiceId = "I1", Settlements = [new("I1", 2, 5m)], OwnSettlements = 1, Unapplied = 0.5m, Fingerprint = "fp4",
        };
        return account;
    }

    [Fact]
    public void The_sample_sets_every_stored_property()
    {
        var unset = new List<string>();
        Walk(Everything(), "account", unset);
        unset.ShouldBeEmpty("a property the sample leaves at its default is not checked by the round trip; set it here and write it in AccountImage");
    }

    [Fact]
    public void An_image_reads_back_to_the_same_account()
    {
        var account = Everything();
        var read = AccountImage.Read(AccountImage.Write(account))!;
        JsonSerializer.Serialize(read).ShouldBe(JsonSerializer.Serialize(account));
        read.Outstanding.ShouldBe(account.Outstanding);
        read.Receivables["I1"].Installments[1].Open.ShouldBe(80m);
    }

    [Fact]
    public void An_account_read_from_an_image_is_independent_of_the_one_written()
    {
        var account = Everything();
        var image = AccountImage.Write(account);
        var json = JsonSerializer.Serialize(account);
        var read = AccountImage.Read(image)!;
        read.ApplyEvent(new OrderCancelled("O1", "no"));
        read.Receivables["I1"].Installments[1].Settled = 100m;
        JsonSerializer.Serialize(account).ShouldBe(json);
        JsonSerializer.Serialize(AccountImage.Read(image)).ShouldBe(json);
    }

    [Fact]
    public void An_image_of_another_layout_is_not_read()
    {
        AccountImage.Read([1, 2, 3]).ShouldBeNull();
        AccountImage.Read("{\"Id\":\"C1\"}"u8.ToArray()).ShouldBeNull();
    }

    [Fact]
    public void A_long_account_stays_small()
    {
        var account = new CreditAccount { Id = "C1", Profile = new("x", null, "SAR", ContactKind.Customer, [], false, null) };
        for (var i = 0; i < 5000; i++)
        {
            account.Receivables[$"INV-{i:D6}"] = new Receivable
            {
                Id = $"INV-{i:D6}", Amount = 100m, IssuedOn = On, DueOn = On.AddDays(30), Sequence = i, Fingerprint = Hex($"invoice {i}"),
                Installments = [new() { No = 1, DueOn = On.AddDays(30), Amount = 100m, Settled = 100m }],
            };
            account.Payments[$"PAY-{i:D6}"] = new PaymentState
            {
                Id = $"PAY-{i:D6}", Amount = 100m, ReceivedOn = On, Settlements = [new($"INV-{i:D6}", 1, 100m)], Fingerprint = Hex($"payment {i}"),
            };
        }
        var image = AccountImage.Write(account);
        // 2.6 MB as JSON. With real fingerprints (16 random bytes each, incompressible) 229 KB, measured.
        image.Length.ShouldBeLessThan(235_000);
        AccountImage.Read(image)!.Receivables.Count.ShouldBe(5000);
    }

    /// <summary>A fingerprint as the API makes them: 32 hex digits of a SHA-256 (they do not compress).</summary>
    private static string Hex(string body) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)))[..32];

    private static void Walk(object value, string path, List<string> unset)
    {
        if (value is string) return;
        if (value is IDictionary dictionary)
        {
            if (dictionary.Count == 0) unset.Add(path);
            foreach (DictionaryEntry e in dictionary) Walk(e.Value!, $"{path}[{e.Key}]", unset);
            return;
        }
        if (value is IEnumerable list)
        {
            var any = false;
            foreach (var item in list) { any = true; Walk(item, path + "[]", unset); }
            if (!any) unset.Add(path);
            return;
        }
        var type = value.GetType();
        if (type.Namespace != typeof(CreditAccount).Namespace || type.IsEnum) return;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is null || property.Name == "EqualityContract") continue; // computed
            var v = property.GetValue(value);
            var at = $"{path}.{property.Name}";
            var isDefault = v is null || (property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null
                && v.Equals(Activator.CreateInstance(property.PropertyType)));
            if (isDefault) unset.Add(at);
            else Walk(v!, at, unset);
        }
    }
}
