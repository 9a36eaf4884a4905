namespace Billing.Errors.Tests;

public class When_fingerprinting_error_reports
{
    private static readonly Guid InvoiceA = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid InvoiceB = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private static ErrorReport Report(Guid? invoice = null, string message = "missing currency", string code = "missing_currency",
        string type = "ValidationException", Guid? account = null, string? key = null) =>
        new("pdf-renderer", type, code, message, InvoiceId: invoice, AccountId: account, BusinessKey: key);

    [Fact]
    public void Gives_the_same_value_for_the_same_cause_and_invoice_whatever_the_message()
    {
        var first = Fingerprint.For(Report(InvoiceA, "missing currency at 10:00:01"));
        var second = Fingerprint.For(Report(InvoiceA, "missing currency at 10:00:02") with { TraceId = "abc", Service = "mailer" });
        Assert.Equal(first, second);
    }

    [Fact]
    public void Is_stable_across_runs()
    {
        // Stored fingerprints must keep matching after a deploy: pin one value (SHA-256 of
        // "v1\nValidationException\nmissing_currency\ninvoice:1111…", first 16 bytes).
        Assert.Equal("a541e3459dce3bff2b340aeb4dd55520", Fingerprint.For(Report(InvoiceA)));
    }

    [Fact]
    public void Differs_per_invoice()
    {
        Assert.NotEqual(Fingerprint.For(Report(InvoiceA)), Fingerprint.For(Report(InvoiceB)));
    }

    [Fact]
    public void Differs_per_error_type_and_code()
    {
        var baseline = Fingerprint.For(Report(InvoiceA));
        Assert.NotEqual(baseline, Fingerprint.For(Report(InvoiceA, code: "missing_address")));
        Assert.NotEqual(baseline, Fingerprint.For(Report(InvoiceA, type: "TimeoutException")));
    }

    [Fact]
    public void Does_not_confuse_an_invoice_with_an_account_of_the_same_id()
    {
        Assert.NotEqual(Fingerprint.For(Report(invoice: InvoiceA)), Fingerprint.For(Report(account: InvoiceA)));
    }

    [Fact]
    public void Prefers_the_explicit_business_key()
    {
        Assert.Equal(Fingerprint.For(Report(InvoiceA, key: "refund:re_1")), Fingerprint.For(Report(InvoiceB, key: "refund:re_1")));
        Assert.NotEqual(Fingerprint.For(Report(key: "refund:re_1")), Fingerprint.For(Report(key: "refund:re_2")));
    }

    [Fact]
    public void Does_not_let_a_field_boundary_shift_collide()
    {
        Assert.NotEqual(Fingerprint.For(Report(type: "A", code: "BC")), Fingerprint.For(Report(type: "AB", code: "C")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Refuses_a_report_without_error_type(string type)
    {
        var ex = Assert.Throws<ArgumentException>(() => Fingerprint.For(Report(type: type)));
        Assert.Contains("error_type", ex.Message);
    }
}
