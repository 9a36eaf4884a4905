using Dapper;
using Billing.Contracts;

namespace Billing.PdfRenderer.Tests;

/// <summary>
/// The mailer emails on InvoicePdfRendered with Rerender = false, once per invoice (it keeps a delivery record), and
/// ignores Rerender = true unless a resend is pending. So a second render must never look like a first one.
/// </summary>
public sealed class When_an_invoice_is_rendered_again : IAsyncLifetime
{
    private RendererHost host = null!;

    public async Task InitializeAsync() => host = await RendererHost.StartAsync("pdfagain");

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Does_keep_the_key_and_publish_nothing_that_would_send_a_second_email()
    {
        var puts = host.Storage.Puts; // the other test of this class may have run first
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, TestInvoices.Typical);
        await host.PublishAsync(invoice.Finalized());
        var first = (await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 1)).Single();
        var firstColumns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        var firstFile = host.ReadStored(first.StorageKey);
        Assert.Equal(puts + 1, host.Storage.Puts);

        // Redelivered InvoiceFinalized: the stored PDF is kept, the same event is published again (a lost follow-up
        // is recovered) and the mailer sees a duplicate of the document it already has.
        await host.PublishAsync(invoice.Finalized());
        var afterRedelivery = await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 2);
        Assert.Equal(first, afterRedelivery[1]);
        Assert.Equal(puts + 1, host.Storage.Puts);
        Assert.Equal(firstColumns, await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId));
        Assert.Equal(firstFile, host.ReadStored(first.StorageKey));
        // Keeping the PDF ends the render's transaction with the connection: none waits in the pool holding the lock.
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>(
                "select count(*) from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'"));

        // Operator re-render: rendered again, same key, flagged as a re-render.
        await host.PublishAsync(new RenderInvoicePdf(invoice.InvoiceId, "logo changed"));
        var afterRerender = await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 3);
        var rerender = afterRerender[2];
        Assert.True(rerender.Rerender);
        Assert.Equal(first.StorageKey, rerender.StorageKey);
        Assert.Equal(puts + 2, host.Storage.Puts);
        var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        Assert.Equal((first.StorageKey, rerender.Sha256, rerender.SizeBytes), (columns.PdfKey, columns.PdfSha256, columns.PdfSize));
        Assert.Equal(RendererHost.Sha256(host.ReadStored(first.StorageKey)), rerender.Sha256);
        Assert.True(columns.PdfRenderedAt >= firstColumns.PdfRenderedAt);
        Assert.Single(host.StoredFiles(), f => f.Contains(invoice.AccountId.ToString(), StringComparison.Ordinal));

        // Nothing else arrives: no extra Rerender = false event after the re-render.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var all = host.Captured.RenderedFor(invoice.InvoiceId);
        Assert.Equal(3, all.Count);
        Assert.Equal([false, false, true], all.Select(r => r.Rerender));
        Assert.Single(all.Where(r => !r.Rerender).Select(r => r.Sha256).Distinct());
    }

    [Fact]
    public async Task Does_render_one_pdf_when_a_redelivery_and_a_rerender_race()
    {
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, TestInvoices.Typical);
        await Task.WhenAll(
            host.PublishAsync(invoice.Finalized()),
            host.PublishAsync(invoice.Finalized()),
            host.PublishAsync(new RenderInvoicePdf(invoice.InvoiceId, "race")));
        var events = await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 3);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, host.Captured.RenderedFor(invoice.InvoiceId).Count);
        Assert.Single(events, e => e.Rerender);
        // Whatever the order, the invoice records the checksum of the file that is stored.
        var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        Assert.Equal(RendererHost.Sha256(host.ReadStored(columns.PdfKey!)), columns.PdfSha256);
        Assert.All(events, e => Assert.Equal(columns.PdfKey, e.StorageKey));
    }
}
