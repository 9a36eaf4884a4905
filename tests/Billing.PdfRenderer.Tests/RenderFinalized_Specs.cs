using System.Text.RegularExpressions;
using Billing.Contracts;

namespace Billing.PdfRenderer.Tests;

/// <summary>One typical invoice rendered once for the whole class.</summary>
public sealed class RenderedTypicalInvoice : IAsyncLifetime
{
    public RendererHost Host { get; private set; } = null!;
    public SeededInvoice Invoice { get; private set; } = null!;
    public InvoicePdfRendered Rendered { get; private set; } = null!;
    public string Text { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Host = await RendererHost.StartAsync("pdfrender");
        Invoice = await TestInvoices.InsertAsync(Host.Db.DataSource, TestInvoices.Typical);
        await Host.PublishAsync(Invoice.Finalized());
        Rendered = (await Host.Captured.WaitRenderedAsync(Invoice.InvoiceId, 1)).Single();
        Text = PdfText.Extract(Host.ReadStored(Rendered.StorageKey));
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class When_a_finalized_invoice_is_rendered(RenderedTypicalInvoice fixture) : IClassFixture<RenderedTypicalInvoice>
{
    private readonly RendererHost host = fixture.Host;
    private readonly SeededInvoice invoice = fixture.Invoice;
    private readonly InvoicePdfRendered rendered = fixture.Rendered;
    private readonly string text = fixture.Text;

    [Fact]
    public void Does_store_it_at_account_slash_invoice_with_the_published_checksum()
    {
        Assert.Equal($"{invoice.AccountId}/{invoice.InvoiceId}.pdf", rendered.StorageKey);
        var stored = host.ReadStored(rendered.StorageKey);
        Assert.Equal(RendererHost.Sha256(stored), rendered.Sha256);
        Assert.Equal(stored.Length, rendered.SizeBytes);
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(stored, 0, 5));
        Assert.Equal((invoice.InvoiceId, invoice.AccountId, invoice.RunId, false),
            (rendered.InvoiceId, rendered.AccountId, rendered.RunId, rendered.Rerender));
    }

    [Fact]
    public async Task Does_record_key_checksum_size_and_time_on_the_invoice()
    {
        var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        Assert.Equal(rendered.StorageKey, columns.PdfKey);
        Assert.Equal(rendered.Sha256, columns.PdfSha256);
        Assert.Equal(rendered.SizeBytes, columns.PdfSize);
        Assert.NotNull(columns.PdfRenderedAt);
    }

    [Fact]
    public void Does_print_the_number_and_every_line_with_its_amount()
    {
        Assert.Contains(invoice.Number, text);
        Assert.Matches(Line("Business plan, monthly base fee", "49.00"), text);
        Assert.Matches(Line("API requests, graduated pricing", "125.00"), text);
        Assert.Matches(Line("First 100000 requests", "100.00"), text);
        Assert.Matches(Line("Requests above 100000", "25.00"), text);
        Assert.Matches(Line("Managed service job: database migration", "300.00"), text);
    }

    [Fact]
    public void Does_print_subtotal_tax_and_total()
    {
        // 49.00 + 125.00 + 300.00 = 474.00; 19% tax = 90.06; total 564.06 (tier lines explain usage, not added twice)
        Assert.Matches(@"Subtotal\s+EUR 474\.00", text);
        Assert.Matches(@"Tax \(19%\)\s+EUR 90\.06", text);
        Assert.Matches(@"Total\s+EUR 564\.06", text);
    }

    [Fact]
    public void Does_print_the_customer_address_and_the_issuer_from_settings()
    {
        Assert.Contains("Acme Analytics Ltd", text);
        Assert.Contains("12 Example Street", text);
        Assert.Contains("Suite 4", text);
        Assert.Contains("75001 Paris", text);
        Assert.Contains("France", text);
        Assert.Contains("Nordwind Cloud Services GmbH", text);
        Assert.Contains("Friedrichstraße 123", text);
        Assert.Contains("10117 Berlin", text);
        Assert.Contains("DE123456789", text);
        Assert.Contains("quoting the invoice number", text);
        Assert.Contains("2026-11-15", text);
    }

    [Fact]
    public void Does_state_the_term_from_the_stored_due_date_and_nothing_that_contradicts_it()
    {
        // Seeded: issued 2026-11-01, due 2026-11-15 — 14 days, whatever the service's own term setting.
        var flat = Regex.Replace(text, @"\s+", " ");
        Assert.Contains("Payable within 14 days of the issue date, by 2026-11-15, quoting the invoice number. By bank transfer to IBAN DE02 1203 0000 0000 2020 51.", flat);
        Assert.Single(Regex.Matches(flat, @"\d+ days"));
    }

    private static Regex Line(string description, string amount) =>
        new($@"(?m){Regex.Escape(description)}.*\s{Regex.Escape(amount)}\s*$");
}
