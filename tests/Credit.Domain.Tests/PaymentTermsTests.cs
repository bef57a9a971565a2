using Credit.Domain.Accounts;

namespace Credit.Domain.Tests;

public class PaymentTermsTests
{
    [Theory]
    [InlineData("2026-11-01", 30, null, null, "2026-12-01")]
    [InlineData("2026-01-31", null, 1, null, "2026-02-28")]
    [InlineData("2028-01-31", null, 1, null, "2028-02-29")]
    [InlineData("2026-03-31", null, 1, null, "2026-04-30")]
    [InlineData("2026-02-10", null, null, 15, "2026-03-15")]
    [InlineData("2026-12-20", null, null, 0, "2026-12-31")]
    [InlineData("2024-01-31", null, 1, null, "2024-02-29")]
    [InlineData("2024-02-29", null, 12, null, "2025-02-28")]
    [InlineData("2026-11-30", null, 3, null, "2027-02-28")]
    [InlineData("2026-08-31", null, 1, null, "2026-09-30")]
    [InlineData("2027-12-31", null, 2, null, "2028-02-29")]
    [InlineData("2028-02-05", null, null, 0, "2028-02-29")]
    [InlineData("2026-02-05", null, null, 1, "2026-03-01")]
    [InlineData("2026-12-15", null, null, 10, "2027-01-10")]
    [InlineData("2028-02-28", 1, null, null, "2028-02-29")]
    [InlineData("2026-12-31", 1, null, null, "2027-01-01")]
    [InlineData("2026-11-01", 0, null, null, "2026-11-01")]
    public void Due_dates_follow_the_terms(string issued, int? days, int? months, int? eom, string expected)
    {
        var terms = new PaymentTerms(days, months, eom);
        PaymentTerms.DueDate(terms, DateOnly.Parse(issued)).ShouldBe(DateOnly.Parse(expected));
    }

    [Fact]
    public void No_terms_means_due_on_issue() =>
        PaymentTerms.DueDate(null, new DateOnly(2026, 5, 5)).ShouldBe(new DateOnly(2026, 5, 5));

    [Fact]
    public void Exactly_one_kind_of_term_is_valid()
    {
        new PaymentTerms(30).IsValid.ShouldBeTrue();
        new PaymentTerms(30, 1).IsValid.ShouldBeFalse();
        new PaymentTerms().IsValid.ShouldBeFalse();
        new PaymentTerms(-1).IsValid.ShouldBeFalse();
    }
}
