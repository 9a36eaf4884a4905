using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.Json;
using Billing.Contracts;
using Billing.Pdf;
using MassTransit;

namespace Billing.PdfRenderer.Consumers;

/// <summary>
/// A render that can never succeed: recorded in the error log with its reason, then a <see cref="ValidationException"/>
/// so the message goes to <c>_error</c> without retries.
/// </summary>
public static class PdfRenderFailures
{
    public const string ErrorType = "pdf_render_failed";

    public static async Task<Exception> ReportAsync(ConsumeContext context, Guid invoiceId, InvoiceDocumentException problem,
        TimeProvider time, Guid? accountId = null, Guid? runId = null)
    {
        var payload = JsonSerializer.Serialize(new { invoice_id = invoiceId, field = problem.Field, reason = problem.Message });
        await context.Publish(new ErrorReported("pdf-renderer", ErrorType, problem.Field, problem.Message, invoiceId,
            accountId, runId, Activity.Current?.TraceId.ToHexString(), invoiceId.ToString(), payload, time.GetUtcNow()));
        // No inner exception: the fault headers name the outermost type, and tools recognise ValidationException.
        return new ValidationException($"invoice {invoiceId} cannot be rendered: {problem.Message}");
    }
}
