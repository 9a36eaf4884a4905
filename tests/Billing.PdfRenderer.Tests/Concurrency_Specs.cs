using Billing.Testing;

namespace Billing.PdfRenderer.Tests;

/// <summary>
/// More messages in flight than render slots (PdfRenderer__ConcurrentMessages above PdfRenderer__ConcurrentRenders):
/// messages wait for the database, the disk and the broker side by side, while renders take turns.
/// </summary>
public sealed class When_more_messages_are_in_flight_than_renders : IAsyncLifetime
{
    private RendererHost host = null!;

    public async Task InitializeAsync() => host = await RendererHost.StartAsync("pdfconc", new Dictionary<string, string?>
    {
        ["PdfRenderer:ConcurrentRenders"] = "1",
        ["PdfRenderer:ConcurrentMessages"] = "8",
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Does_render_one_pdf_for_ten_copies_of_one_message_arriving_at_once()
    {
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, TestInvoices.Typical);
        var puts = host.Storage.Puts;
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => host.PublishAsync(invoice.Finalized())));

        var rendered = await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 10);
        // The row lock serialises the copies: the first renders, the other nine find its PDF and keep it.
        Assert.Equal(puts + 1, host.Storage.Puts);
        Assert.Single(rendered.Distinct());
        Assert.All(rendered, r => Assert.False(r.Rerender));
        var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        Assert.Equal((rendered[0].StorageKey, rendered[0].Sha256, rendered[0].SizeBytes), (columns.PdfKey, columns.PdfSha256, columns.PdfSize));
        Assert.Equal(columns.PdfSha256, RendererHost.Sha256(host.ReadStored(columns.PdfKey!)));
        Assert.Single(host.StoredFiles(), f => f.Contains(invoice.InvoiceId.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Does_store_each_invoice_its_own_pdf_when_many_arrive_together()
    {
        var invoices = new List<SeededInvoice>();
        for (var i = 0; i < 12; i++)
            invoices.Add(await TestInvoices.InsertAsync(host.Db.DataSource, TestInvoices.Typical, accountName: $"Concurrent Customer {i:D2}"));
        await Task.WhenAll(invoices.Select(invoice => host.PublishAsync(invoice.Finalized())));

        foreach (var invoice in invoices)
        {
            var rendered = Assert.Single(await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 1));
            var stored = host.ReadStored(rendered.StorageKey);
            Assert.Equal($"{invoice.AccountId}/{invoice.InvoiceId}.pdf", rendered.StorageKey);
            Assert.Equal(RendererHost.Sha256(stored), rendered.Sha256);
            var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
            Assert.Equal(rendered.Sha256, columns.PdfSha256);
            var text = PdfText.Extract(stored);
            Assert.Contains(invoice.Number, text);
            Assert.Contains(invoice.AccountName, text);
            Assert.DoesNotContain(invoices.Where(o => o != invoice), o => text.Contains(o.Number, StringComparison.Ordinal));
        }
    }
}
