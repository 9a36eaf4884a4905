using Billing.Contracts;

namespace Billing.Errors.Tests;

public class When_an_invoice_run_is_reported
{
    private static readonly Guid RunId = Guid.Parse("6f1c0a2e-0000-4000-8000-000000000001");
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Started_names_period_and_accounts()
    {
        Assert.Equal($"Invoice run 2026-10 started at 2026-11-01 02:00 UTC: 12,500 accounts to invoice (run {RunId})",
            RunReports.Started(new InvoiceRunStarted(RunId, "2026-10", 12_500, Start)));
    }

    [Fact]
    public void Completed_gives_counts_totals_in_each_currency_and_duration()
    {
        var done = new InvoiceRunCompleted(RunId, "2026-10", Accounts: 12_500, Invoices: 12_480, Skipped: 15, Failed: 5,
            Emailed: 12_470, Synced: 12_480,
            Totals: [new("USD", 10_000, 123_456_789), new("JPY", 2_000, 1_200_000), new("KWD", 480, 1_250), new("BHD", 0, -5)],
            StartedAt: Start, CompletedAt: Start + new TimeSpan(1, 2, 3));

        Assert.Equal(string.Join('\n',
            $"*Invoice run 2026-10 completed* in 1h 02m 03s (run {RunId})",
            "• invoices: 12,480 of 12,500 accounts (3.4 invoices/s)",
            "• totals: BHD -0.005 (0 invoices), JPY 1,200,000 (2,000 invoices), KWD 1.250 (480 invoices), USD 1,234,567.89 (10,000 invoices)",
            "• emails sent: 12,470",
            "• synced to the ledger: 12,480",
            "• failures: 5",
            "• skipped: 15",
            $"5 failed invoice requests are waiting: retry them with POST /api/runs/{RunId}/retry-failed"),
            RunReports.Completed(done));
    }

    [Fact]
    public void Completed_without_invoices_or_failures_says_so()
    {
        var done = new InvoiceRunCompleted(RunId, "2026-10", 0, 0, 0, 0, 0, 0, [], Start, Start.AddSeconds(4));
        var text = RunReports.Completed(done);
        Assert.Contains("completed* in 4s", text);
        Assert.Contains("• totals: none", text);
        Assert.DoesNotContain("retry-failed", text);
    }

    [Theory]
    [InlineData(-1, "unknown time")]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(245, "4m 05s")]
    [InlineData(90_061, "25h 01m 01s")]
    public void Formats_durations(int seconds, string expected)
    {
        Assert.Equal(expected, RunReports.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Completed_prints_zero_decimal_totals_in_whole_units()
    {
        var done = new InvoiceRunCompleted(RunId, "2026-10", 2, 2, 0, 0, 2, 2,
            [new("ISK", 1, 12_345), new("JPY", 1, 5_174)], Start, Start.AddSeconds(4));
        Assert.Contains("• totals: ISK 12,345 (1 invoices), JPY 5,174 (1 invoices)", RunReports.Completed(done));
    }

    [Fact]
    public void Completed_still_prints_a_total_in_a_currency_it_does_not_know()
    {
        var done = new InvoiceRunCompleted(RunId, "2026-10", 1, 1, 0, 0, 1, 1, [new("XTS", 1, 1_234)], Start, Start.AddSeconds(4));
        Assert.Contains("• totals: XTS 1234 (minor units) (1 invoices)", RunReports.Completed(done));
    }
}
