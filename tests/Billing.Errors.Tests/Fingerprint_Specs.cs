namespace Billing.Errors.Tests;

public class When_fingerprinting_error_reports
{
    private static readonly Guid InvoiceA = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid InvoiceB = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private static ErrorReport Report(Guid? invoice = null, string message = "missing currency", string code = "render-invoice-pdf",
        string type = "ValidationException", Guid? account = null, string? key = null, string? messageType = "RenderInvoicePdf",
        string service = "pdf-renderer") =>
        new(service, type, code, message, InvoiceId: invoice, AccountId: account, BusinessKey: key, MessageType: messageType);

    [Fact]
    public void Gives_one_value_for_one_cause_whatever_invoice_account_key_or_trace_it_hit()
    {
        var first = Fingerprint.For(Report(InvoiceA, $"template missing for invoice {InvoiceA} at 2026-11-02T10:00:01Z (attempt 3)"));
        var second = Fingerprint.For(Report(InvoiceB, $"template missing for invoice {InvoiceB} at 2026-11-03T07:12:55.123+01:00 (attempt 12)",
            account: InvoiceA, key: "refund:re_1") with { TraceId = "abc" });
        Assert.Equal(first, second);
    }

    [Fact]
    public void Is_stable_across_runs()
    {
        // Stored fingerprints must keep matching after a deploy: pin one value (SHA-256 of
        // "v2\npdf-renderer\nRenderInvoicePdf\nValidationException\nmissing currency", first 16 bytes).
        Assert.Equal("85151f067232ce9e4c5fa2aa312ca535", Fingerprint.For(Report(InvoiceA)));
    }

    [Fact]
    public void Differs_per_service_message_type_error_type_and_cause()
    {
        var baseline = Fingerprint.For(Report(InvoiceA));
        Assert.NotEqual(baseline, Fingerprint.For(Report(InvoiceA, service: "mailer")));
        Assert.NotEqual(baseline, Fingerprint.For(Report(InvoiceA, messageType: "InvoiceFinalized")));
        Assert.NotEqual(baseline, Fingerprint.For(Report(InvoiceA, type: "TimeoutException")));
        Assert.NotEqual(baseline, Fingerprint.For(Report(InvoiceA, message: "missing address")));
    }

    [Fact]
    public void Uses_the_code_as_message_type_only_for_reported_errors()
    {
        // A fault's code is its queue, which the service and message type already tell.
        Assert.Equal(Fingerprint.For(Report(code: "render-invoice-pdf")), Fingerprint.For(Report(code: "render-invoice-pdf-2")));
        // A reported error has no message type: its code says what it was doing.
        Assert.NotEqual(Fingerprint.For(Report(code: "failed", messageType: null)), Fingerprint.For(Report(code: "missing_pdf", messageType: null)));
        Assert.Equal("code:failed", Fingerprint.MessageTypeOf(Report(code: "failed", messageType: " ")));
    }

    [Fact]
    public void Does_not_let_a_field_boundary_shift_collide()
    {
        Assert.NotEqual(Fingerprint.For(Report(type: "A", message: "BC")), Fingerprint.For(Report(type: "AB", message: "C")));
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

public class When_normalising_error_messages
{
    [Theory]
    [InlineData("Cannot access a disposed object.\nObject name: 'IServiceProvider'.", "Cannot access a disposed object. Object name: 'IServiceProvider'.")]
    [InlineData("invoice 0193a1c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d has no currency", "invoice <id> has no currency")]
    [InlineData("timed out after 30000 ms at 2026-11-02T08:00:01.123Z", "timed out after <n> ms at <time>")]
    [InlineData("run 2026-10 stalled for 12 min (invoices 1,204, rendered 3.5)", "run <n>-<n> stalled for <n> min (invoices <n>, rendered <n>)")]
    [InlineData("mailbox ap17@example.org full since 08:15:02", "mailbox <email> full since <time>")]
    [InlineData("Stripe refused in_1NxYz2AbCdEfGhIj for trace 4bf92f3577b34da6a3ce929d0e0e4736", "Stripe refused <id> for trace <id>")]
    [InlineData("   ", "")]
    public void Takes_out_ids_numbers_times_and_addresses(string message, string expected)
    {
        Assert.Equal(expected, ErrorMessages.Normalise(message));
    }

    [Fact]
    public void Keeps_words_that_look_like_hex()
    {
        Assert.Equal("decade facade deadbeef", ErrorMessages.Normalise("decade facade deadbeef"));
    }

    [Fact]
    public void Cuts_a_message_carrying_a_whole_payload()
    {
        Assert.Equal(ErrorMessages.MaxNormalisedLength, ErrorMessages.Normalise(new string('x', 5000)).Length);
    }
}

public class When_telling_the_stage_of_an_error
{
    [Theory]
    [InlineData("GenerateInvoice", "generate-invoice", "InvalidOperationException", "generate")]
    [InlineData("RenderInvoicePdf", "render-invoice-pdf", "InvalidOperationException", "render")]
    [InlineData("InvoiceFinalized", "render-finalized-invoice", "InvalidOperationException", "render")]
    [InlineData("InvoiceFinalized", "sync-invoice", "NpgsqlException", "sync")]
    [InlineData("InvoiceFinalized", "push-invoice-to-stripe", "HttpRequestException", "stripe")]
    [InlineData("InvoicePdfRendered", "invoice-pdf-rendered", "SmtpCommandException", "email")]
    [InlineData(null, "failed", "invoice_email_not_sent", "email")]
    [InlineData(null, "suppressed", "invoice_email_not_sent", null)]
    [InlineData("CreditNoteIssued", "render-credit-note", "InvalidOperationException", null)]
    [InlineData("InvoiceFinalized", "some-audit-log", "InvalidOperationException", null)]
    [InlineData("InvoiceFinalized", "ledger-stripe-render-mail", "InvalidOperationException", null)]
    [InlineData("InvoicePdfRendered", "mail-archive", "InvalidOperationException", null)]
    [InlineData("GenerateInvoice", "GenerateInvoice", "InvalidOperationException", null)]
    [InlineData("ResendInvoiceEmail", "resend-invoice-email", "SmtpCommandException", "email")]
    [InlineData(null, "missing_pdf", "invoice_email_not_sent", "email")]
    [InlineData(null, "invalid_address", "invoice_email_not_sent", null)]
    public void Names_the_step_it_blocked_or_nothing(string? messageType, string code, string type, string? stage)
    {
        Assert.Equal(stage, ErrorStages.Of(new ErrorReport("svc", type, code, "boom", MessageType: messageType)));
    }
}
