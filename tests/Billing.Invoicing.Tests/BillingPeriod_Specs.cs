namespace Billing.Invoicing.Tests;

public class When_a_period_is_parsed
{
    [Theory]
    [InlineData("2026-10", 2026, 10)]
    [InlineData("2026-01", 2026, 1)]
    [InlineData("2026-12", 2026, 12)]
    [InlineData("1999-02", 1999, 2)]
    public void Does_accept_yyyy_MM(string text, int year, int month)
    {
        Assert.True(BillingPeriod.TryParse(text, out var period));
        Assert.Equal((year, month), (period.Year, period.Month));
        Assert.Equal(text, period.ToString());
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-1")]
    [InlineData("26-10")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("2026/10")]
    [InlineData("2026-10-01")]
    [InlineData(" 2026-10")]
    [InlineData("2026-+1")]
    [InlineData("２０２６-10")]   // full-width digits
    [InlineData("0000-01")]
    public void Does_reject_anything_else(string? text)
    {
        Assert.False(BillingPeriod.TryParse(text, out _));
        Assert.Equal("period", Assert.Throws<DomainValidationException>(() => BillingPeriod.Parse(text)).Field);
    }
}

public class When_a_period_is_placed_in_time
{
    private static readonly BillingPeriod October = BillingPeriod.Parse("2026-10");

    [Fact]
    public void Does_span_the_utc_month_with_an_exclusive_end()
    {
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), October.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), October.End);
        Assert.Equal(TimeSpan.Zero, October.Start.Offset);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), BillingPeriod.Parse("2026-12").End);
    }

    [Fact]
    public void Does_end_at_the_first_instant_of_the_next_month()
    {
        Assert.False(October.HasEnded(new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999)));
        Assert.True(October.HasEnded(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)));
        // 01:30 on 1 November in Paris is still 31 October in UTC.
        Assert.False(October.HasEnded(new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.FromHours(1))));
    }

    [Fact]
    public void Does_name_the_last_ended_month_as_previous()
    {
        Assert.Equal("2026-10", BillingPeriod.Previous(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)).ToString());
        Assert.Equal("2026-09", BillingPeriod.Previous(new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero)).ToString());
        Assert.Equal("2025-12", BillingPeriod.Previous(new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero)).ToString());
        // 00:30 on 1 November at +01:00 is 23:30 on 31 October UTC: October has not ended, so September.
        Assert.Equal("2026-09", BillingPeriod.Previous(new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.FromHours(1))).ToString());
    }

    [Fact]
    public void Does_order_and_compare_by_month()
    {
        Assert.True(BillingPeriod.Parse("2026-09").CompareTo(October) < 0);
        Assert.True(BillingPeriod.Parse("2027-01").CompareTo(October) > 0);
        Assert.Equal(October, BillingPeriod.Parse("2026-10"));
        Assert.Equal("2026-11", October.Next().ToString());
        Assert.Equal("2026-09", October.Before().ToString());
    }
}
