using System.Diagnostics;
using Billing.Pdf;
using Billing.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.PdfRenderer;

/// <param name="Rendered">False when an existing PDF was kept (a redelivered InvoiceFinalized).</param>
public sealed record PdfRenderOutcome(Guid InvoiceId, Guid RunId, Guid AccountId, PdfStoredObject Stored, bool Rendered);

/// <summary>Loads an invoice, renders it, stores it at <c>{account_id}/{invoice_id}.pdf</c> and records where.</summary>
public sealed class InvoicePdfService(
    NpgsqlDataSource dataSource,
    InvoicePdfStore store,
    InvoicePdfRenderer renderer,
    IPdfStorage storage,
    PdfBufferPool buffers,
    RenderGate gate,
    IOptions<IssuerOptions> issuer,
    TimeProvider time,
    ServiceInfo service,
    ILogger<InvoicePdfService> log)
{
    /// <param name="force">Render even if a PDF is recorded and stored (an operator's re-render).</param>
    /// <exception cref="InvoiceDocumentException">The invoice is unknown or its data cannot make a correct PDF.</exception>
    public async Task<PdfRenderOutcome> RenderAsync(Guid invoiceId, bool force, CancellationToken ct)
    {
        using var activity = service.ActivitySource.StartActivity("render invoice pdf");
        activity?.SetTag("billing.invoice_id", invoiceId);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var (invoice, lines, credits) = await store.LockWithLinesAsync(conn, invoiceId, ct)
            ?? throw new InvoiceDocumentException("InvoiceId", $"invoice {invoiceId} does not exist");
        var key = PdfKeys.For(invoice.AccountId, invoice.Id);

        if (!force && invoice.PdfSha256 is not null && invoice.PdfKey == key && await storage.ExistsAsync(key, ct))
        {
            activity?.SetTag("billing.pdf_rendered", false);
            return new PdfRenderOutcome(invoice.Id, invoice.RunId ?? Guid.Empty, invoice.AccountId,
                new PdfStoredObject(key, invoice.PdfSize ?? 0, invoice.PdfSha256), Rendered: false);
        }

        var document = InvoiceDocuments.From(invoice, lines, issuer.Value) with
        {
            Notes = CorrectionNotes.For(invoice, credits),
        };
        var buffer = buffers.Rent();
        PdfStoredObject stored;
        try
        {
            double renderMs;
            // Only the CPU-bound render is limited to ConcurrentRenders; the database, the broker and the disk
            // wait outside the gate, so more messages than cores can be in flight without oversubscribing the CPU.
            await gate.WaitAsync(ct);
            try
            {
                var started = Stopwatch.GetTimestamp();
                renderer.RenderTo(document, buffer);
                renderMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            finally
            {
                gate.Release();
            }
            stored = await storage.PutAsync(key, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
            log.LogInformation("Rendered invoice {InvoiceId} ({Number}, {Lines} lines) in {RenderMs:F0} ms: {Key}, {Size} bytes",
                invoiceId, invoice.Number, lines.Count, renderMs, key, stored.Size);
        }
        finally
        {
            buffers.Return(buffer);
        }
        await store.MarkRenderedAsync(conn, invoiceId, stored, time.GetUtcNow(), ct);
        activity?.SetTag("billing.pdf_rendered", true);
        return new PdfRenderOutcome(invoice.Id, invoice.RunId ?? Guid.Empty, invoice.AccountId, stored, Rendered: true);
    }
}
