using Billing.Testing;

namespace Billing.PdfRenderer.Tests;

// Read-only directories are made with Unix file modes or ext4's immutable attribute.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class When_the_pdf_storage_cannot_be_written : IAsyncLifetime
{
    private const int RetryLimit = 2;
    private RendererHost host = null!;

    public async Task InitializeAsync() =>
        host = await RendererHost.StartAsync("pdfstore", new Dictionary<string, string?> { ["RabbitMq:RetryLimit"] = RetryLimit.ToString() });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Does_retry_then_dead_letter_and_leave_nothing_half_written()
    {
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, TestInvoices.Typical);
        DeadLetter? dead;
        using (ReadOnlyDirectory.Make(host.StorageDirectory))
        {
            await host.PublishAsync(invoice.Finalized());
            dead = await Eventually.Until(() => DeadLetters.FindAsync(host.Vhost.AmqpUrl, DeadLetters.FinalizedErrorQueue, invoice.InvoiceId),
                d => d is not null, TimeSpan.FromSeconds(90));
        }

        Assert.Equal(RetryLimit + 1, host.Storage.Puts);
        Assert.Contains(dead!.Header("MT-Fault-ExceptionType"), new[] { "System.IO.IOException", "System.UnauthorizedAccessException" });
        Assert.Empty(host.StoredFiles());
        var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        Assert.Equal(new PdfColumns(), columns);
        Assert.Empty(host.Captured.RenderedFor(invoice.InvoiceId));
    }
}
