using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Payments;

namespace Credit.Domain.Tests;

/// <summary>The profile update: what a request leaves out keeps its value; group and bypass are credit decisions.</summary>
public class CustomerDecisionTests
{
    private static readonly CustomerProfile Current =
        new("Current", "G1", "SAR", ContactKind.Both, ["alice"], true, new DateOnly(2020, 1, 1));

    private static CreditAccount Existing() => CreditAccount.From([new AccountOpened("C1", Current)]);

    private static SaveCustomer Save(CustomerProfile profile, bool controller, CustomerFields leftOut = CustomerFields.None) =>
        new("C1", profile, null, null, null, null, null, controller, leftOut);

    /// <summary>A save that names only credit fields: the profile as it is, the rest left out.</summary>
    private static SaveCustomer Credit(decimal? limit, bool? unlimited, DateOnly? expires, CustomerFields leftOut) =>
        new("C1", Current, limit, unlimited, expires, null, null, true,
            leftOut | CustomerFields.Name | CustomerFields.Currency | CustomerFields.Kind | CustomerFields.AssignedTo
            | CustomerFields.BypassCreditCheckAtOrder | CustomerFields.CustomerSince | CustomerFields.GroupId | CustomerFields.PaymentTerms);

    private static readonly DateOnly Expiry = new(2026, 11, 15);

    [Fact]
    public void A_limit_given_to_an_unlimited_customer_ends_unlimited_credit_and_its_expiry()
    {
        var unlimited = CreditAccount.From([new AccountOpened("C1", Current), new LimitSet(null, true, Expiry, null)]);
        var outcome = CustomerDecisions.Save(unlimited, Credit(0m, null, null, CustomerFields.CreditLimitExpiresOn));
        outcome.Events.ShouldHaveSingleItem().ShouldBe(new LimitSet(0m, false, null, null));
        // Null given: not set at this level, so the customer inherits (it stayed unlimited).
        CustomerDecisions.Save(unlimited, Credit(null, null, null, CustomerFields.CreditLimitExpiresOn))
            .Events.ShouldHaveSingleItem().ShouldBe(new LimitSet(null, false, null, null));
    }

    [Fact]
    public void Unlimited_credit_given_replaces_the_own_limit_and_its_expiry()
    {
        var limited = CreditAccount.From([new AccountOpened("C1", Current), new LimitSet(5000m, false, Expiry, null)]);
        CustomerDecisions.Save(limited, Credit(null, true, null, CustomerFields.CreditLimit | CustomerFields.CreditLimitExpiresOn))
            .Events.ShouldHaveSingleItem().ShouldBe(new LimitSet(null, true, null, null));
        // Cleared explicitly, the same.
        CustomerDecisions.Save(limited, Credit(null, true, null, CustomerFields.CreditLimitExpiresOn))
            .Events.ShouldHaveSingleItem().ShouldBe(new LimitSet(null, true, null, null));
        // An expiry given is the unlimited credit's own.
        CustomerDecisions.Save(limited, Credit(null, true, new DateOnly(2027, 1, 1), CustomerFields.CreditLimit))
            .Events.ShouldHaveSingleItem().ShouldBe(new LimitSet(null, true, new DateOnly(2027, 1, 1), null));
    }

    [Fact]
    public void A_limit_and_unlimited_credit_given_together_are_refused_unless_they_are_the_account_as_stored()
    {
        var created = CustomerDecisions.Save(null, new SaveCustomer("C1", Current, 0m, true, null, null, null, true));
        created.Rejection!.FieldErrors!["creditLimit"].ShouldBe([ErrorCodes.MutuallyExclusive]);
        created.Rejection!.FieldErrors!["unlimitedCredit"].ShouldBe([ErrorCodes.MutuallyExclusive]); // the other field named too

        var limited = CreditAccount.From([new AccountOpened("C1", Current), new LimitSet(5000m, false, null, null)]);
        CustomerDecisions.Save(limited, Credit(0m, true, null, CustomerFields.CreditLimitExpiresOn))
            .Rejection!.FieldErrors!["creditLimit"].ShouldBe([ErrorCodes.MutuallyExclusive]);

        // Stored so by an earlier version (unlimited given, the limit kept): read and saved back, it changes nothing.
        var both = CreditAccount.From([new AccountOpened("C1", Current), new LimitSet(5000m, true, null, null)]);
        var roundTrip = CustomerDecisions.Save(both, Credit(5000m, true, null, CustomerFields.None));
        roundTrip.IsAccepted.ShouldBeTrue();
        roundTrip.Events.ShouldBeEmpty();
        CustomerDecisions.Save(both, Credit(6000m, true, null, CustomerFields.CreditLimitExpiresOn))
            .Rejection!.FieldErrors!["creditLimit"].ShouldBe([ErrorCodes.MutuallyExclusive]);
    }

    [Fact]
    public void Fields_left_out_keep_their_value_and_a_bare_rename_changes_only_the_name()
    {
        var given = new CustomerProfile("Renamed", "G1", "SAR", ContactKind.Customer, [], false, null);
        var all = CustomerFields.Kind | CustomerFields.AssignedTo | CustomerFields.BypassCreditCheckAtOrder | CustomerFields.CustomerSince;

        var outcome = CustomerDecisions.Save(Existing(), Save(given, controller: false, all));

        outcome.IsAccepted.ShouldBeTrue();
        outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<ProfileUpdated>().Profile.ShouldBe(Current with { Name = "Renamed" },
            new ProfileComparer());
    }

    [Theory]
    [InlineData("group", false, true)]
    [InlineData("group", true, false)]
    [InlineData("bypass", false, true)]
    [InlineData("bypass", true, false)]
    [InlineData("assignment", false, true)]
    [InlineData("assignment", true, false)]
    [InlineData("kind", false, false)]
    public void Only_a_controller_moves_a_customer_between_groups_switches_its_bypass_or_reassigns_it(string change, bool controller, bool forbidden)
    {
        var given = change switch
        {
            "group" => Current with { GroupId = "G2" },
            "bypass" => Current with { BypassCreditCheckAtOrder = false },
            "assignment" => Current with { AssignedTo = ["bob"] },
            _ => Current with { Kind = ContactKind.Supplier },
        };

        var outcome = CustomerDecisions.Save(Existing(), Save(given, controller));

        if (forbidden)
        {
            outcome.Events.ShouldBeEmpty();
            outcome.Rejection!.Kind.ShouldBe(RejectionKind.Forbidden);
            outcome.Rejection.Code.ShouldBe(ErrorCodes.ControllerRequired);
        }
        else
        {
            outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<ProfileUpdated>().Profile.ShouldBe(given, new ProfileComparer());
        }
    }

    [Theory]
    [InlineData(5000, false, true)]
    [InlineData(5000, true, false)]
    [InlineData(0, false, false)] // cash only in any currency
    [InlineData(null, false, false)] // inherited limits are converted at the policy's rate
    public void A_new_currency_re_denominates_an_own_limit_so_only_a_controller_may_give_it(int? limit, bool controller, bool forbidden)
    {
        var account = CreditAccount.From([new AccountOpened("C1", Current), new LimitSet(limit, false, null, null)]);
        var credit = CustomerFields.CreditLimit | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms;

        var outcome = CustomerDecisions.Save(account, new SaveCustomer("C1", Current with { Currency = "KWD" }, null, null, null, null, null, controller, credit));

        if (forbidden) outcome.Rejection!.Code.ShouldBe(ErrorCodes.ControllerRequired);
        else outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<ProfileUpdated>().Profile.Currency.ShouldBe("KWD");
    }

    [Fact]
    public void A_credit_note_alone_keeps_the_currency_as_it_is()
    {
        // 100.555 KWD of credit would become 100.555 SAR.
        var note = new CreditNoteIssued("N1", 100.555m, new DateOnly(2026, 11, 2), null, [], 100.555m, "advance", "fp-n1");
        var account = CreditAccount.From([new AccountOpened("C1", Current with { Currency = "KWD" }), note]);

        var outcome = CustomerDecisions.Save(account, Save(Current with { Currency = "SAR" }, controller: true, CustomerFields.CreditLimit
            | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms));

        outcome.Rejection!.Code.ShouldBe(ErrorCodes.CurrencyChange);
    }

    [Theory]
    [InlineData("KWD", 100.125, "SAR", true)]
    [InlineData("SAR", 1000.55, "JPY", true)]
    [InlineData("SAR", 1000.50, "KWD", false)]
    [InlineData("KWD", 100.120, "SAR", false)]
    public void A_kept_limit_must_fit_the_new_currency(string from, double limit, string to, bool refused)
    {
        var account = CreditAccount.From([new AccountOpened("C1", Current with { Currency = from }), new LimitSet((decimal)limit, false, null, null)]);

        var outcome = CustomerDecisions.Save(account, Save(Current with { Currency = to }, controller: true, CustomerFields.CreditLimit
            | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms));

        if (refused) outcome.Rejection!.FieldErrors!["creditLimit"].ShouldBe(["AMOUNT_PRECISION"]);
        else outcome.IsAccepted.ShouldBeTrue();
    }

    [Fact]
    public void Credit_fields_left_out_keep_their_value_and_given_as_null_are_cleared()
    {
        var account = CreditAccount.From([
            new AccountOpened("C1", Current), new LimitSet(5000, false, new DateOnly(2027, 6, 30), null),
            new PaymentTermsSet(new PaymentTerms(Days: 30), null)]);
        var credit = CustomerFields.CreditLimit | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms;

        CustomerDecisions.Save(account, new SaveCustomer("C1", Current, null, null, null, null, null, false, credit))
            .Events.ShouldBeEmpty();

        var cleared = CustomerDecisions.Save(account, new SaveCustomer("C1", Current, null, null, null, null, null, true));
        cleared.Events.Count.ShouldBe(2);
        cleared.Events.OfType<LimitSet>().ShouldHaveSingleItem().ShouldBe(new LimitSet(null, false, null, null));
        cleared.Events.OfType<PaymentTermsSet>().ShouldHaveSingleItem().Terms.ShouldBeNull();

        var byClerk = CustomerDecisions.Save(account, new SaveCustomer("C1", Current, null, null, null, null, null, false,
            CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms));
        byClerk.Rejection!.Code.ShouldBe(ErrorCodes.ControllerRequired);
    }

    [Fact]
    public void A_group_left_out_is_kept_and_a_null_group_leaves_it()
    {
        var given = Current with { GroupId = null };

        CustomerDecisions.Save(Existing(), Save(given, controller: false, CustomerFields.GroupId)).Events.ShouldBeEmpty();
        CustomerDecisions.Save(Existing(), Save(given, controller: false)).Rejection!.Code.ShouldBe(ErrorCodes.ControllerRequired);
        CustomerDecisions.Save(Existing(), Save(given, controller: true)).Events.ShouldHaveSingleItem()
            .ShouldBeOfType<ProfileUpdated>().Profile.GroupId.ShouldBeNull();
    }

    [Fact]
    public void A_create_needs_a_name_and_an_update_keeps_the_name_and_currency_it_leaves_out()
    {
        var nameless = new SaveCustomer("C9", Current with { Name = "" }, null, null, null, null, null, true, CustomerFields.Name);
        CustomerDecisions.Save(null, nameless).Rejection!.FieldErrors!.Keys.ShouldBe(["name"]);

        var kwd = CreditAccount.From([new AccountOpened("C1", Current with { Currency = "KWD" })]);
        var leftOut = CustomerFields.Name | CustomerFields.Currency | CustomerFields.GroupId | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms;
        var limit = CustomerDecisions.Save(kwd, new SaveCustomer("C1", Current with { Name = "", Currency = "SAR" }, 10.125m, null, null, null, null, true, leftOut));
        limit.Events.ShouldHaveSingleItem().ShouldBeOfType<LimitSet>().Amount.ShouldBe(10.125m); // 3 decimals fit KWD
        CustomerDecisions.Save(kwd, new SaveCustomer("C1", Current with { Currency = "SAR" }, 10.125m, null, null, null, null, true, leftOut & ~CustomerFields.Currency))
            .Rejection!.FieldErrors!.Keys.ShouldBe(["creditLimit"]); // given SAR: 2 decimals
    }

    /// <summary>Records compare lists by reference; profiles are equal when their fields and assignments are.</summary>
    private sealed class ProfileComparer : IEqualityComparer<CustomerProfile>
    {
        public bool Equals(CustomerProfile? a, CustomerProfile? b) =>
            a is not null && b is not null && a with { AssignedTo = [] } == b with { AssignedTo = [] } && a.AssignedTo.SequenceEqual(b.AssignedTo);

        public int GetHashCode(CustomerProfile p) => p.Name.GetHashCode();
    }

    [Theory]
    [InlineData(false, "2026-10-01", ErrorCodes.ControllerRequired)]
    [InlineData(true, "2026-11-02", ErrorCodes.OpeningBalanceAfterDocuments)]
    [InlineData(true, "2026-11-01", null)]
    [InlineData(true, "2026-01-01", null)]
    public void An_opening_balance_added_later_needs_a_controller_and_a_date_before_the_first_document(bool controller, string asOf, string? refused)
    {
        var account = CreditAccount.From([new AccountOpened("C1", Current), Accounts.Invoice("I1", 100m, new DateOnly(2026, 11, 1))]);
        var opening = new OpeningBalance(2500m, DateOnly.Parse(asOf), new DateOnly(2026, 12, 31));

        var outcome = CustomerDecisions.Save(account, new SaveCustomer("C1", Current, null, null, null, null, opening, controller,
            CustomerFields.CreditLimit | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms));

        if (refused is null) outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<OpeningBalanceRecorded>().AsOf.ShouldBe(opening.AsOf);
        else
        {
            outcome.Events.ShouldBeEmpty();
            outcome.Rejection!.Code.ShouldBe(refused);
        }
    }

    [Fact]
    public void An_opening_balance_recorded_later_is_settled_by_credit_the_customer_already_has()
    {
        var advance = new PaymentReceived("P1", 60m, new DateOnly(2026, 3, 1), [], 60m, "fp-p1");
        var account = CreditAccount.From([new AccountOpened("C1", Current), advance]);
        var opening = new OpeningBalance(100m, new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28));

        var outcome = CustomerDecisions.Save(account, new SaveCustomer("C1", Current, null, null, null, null, opening, true,
            CustomerFields.CreditLimit | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms));

        var applied = outcome.Events.OfType<CreditApplied>().ShouldHaveSingleItem();
        (applied.SourceId, applied.AppliedOn).ShouldBe(("P1", new DateOnly(2026, 3, 1)));
        applied.Settlements.ShouldBe([new Settlement(Receivable.OpeningBalanceId, 1, 60m)]);
        foreach (var e in outcome.Events) account.ApplyEvent(e);
        (account.Receivables[Receivable.OpeningBalanceId].Open, account.UnappliedCredit, account.Outstanding).ShouldBe((40m, 0m, 40m));
    }

    private static readonly DateOnly NextYear = new(2027, 11, 30);

    [Fact]
    public void An_expiry_needs_an_own_limit_or_unlimited_credit_to_expire()
    {
        // A new customer inheriting its group's limit: the date would expire nothing (LIMIT_EXPIRED only lapses own grants).
        var created = CustomerDecisions.Save(null, new SaveCustomer("C9", Current, null, null, NextYear, null, null, true));
        created.Rejection!.FieldErrors!.ShouldContainKey("creditLimitExpiresOn");
        created.Rejection.FieldErrors!["creditLimitExpiresOn"].ShouldBe([ErrorCodes.ExpiryWithoutLimit]);
        CustomerDecisions.Save(null, new SaveCustomer("C9", Current, 5000m, null, NextYear, null, null, true)).IsAccepted.ShouldBeTrue();
        CustomerDecisions.Save(null, new SaveCustomer("C9", Current, null, true, NextYear, null, null, true)).IsAccepted.ShouldBeTrue();

        // On an update too: an expiry given to a customer without an own limit.
        var update = CustomerDecisions.Save(Existing(), new SaveCustomer("C1", Current, null, null, NextYear, null, null, true,
            CustomerFields.CreditLimit));
        update.Rejection!.Code.ShouldBe(ErrorCodes.ExpiryWithoutLimit);
    }

    [Fact]
    public void Clearing_the_own_limit_takes_its_expiry_with_it()
    {
        var account = CreditAccount.From(new AccountOpened("C1", Current), new LimitSet(5000m, false, NextYear, null));

        var cleared = CustomerDecisions.Save(account, new SaveCustomer("C1", Current, null, null, null, null, null, true,
            CustomerFields.CreditLimitExpiresOn));

        var set = cleared.Events.OfType<LimitSet>().ShouldHaveSingleItem();
        (set.Amount, set.Unlimited, set.ExpiresOn).ShouldBe((null, false, (DateOnly?)null));
    }

}
