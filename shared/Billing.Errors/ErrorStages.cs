namespace Billing.Errors;

/// <summary>The step of an invoice's life a failure blocked, when it can be told: it is what the error log watches to
/// resolve a group once the work went through after all (see the error log's automatic resolution).</summary>
public static class ErrorStages
{
    public const string Generate = "generate";
    public const string Render = "render";
    public const string Email = "email";
    public const string Sync = "sync";
    public const string Stripe = "stripe";

    /// <summary>Codes of the mailer's own reports that are failures a retry can fix (not decisions such as a
    /// suppressed or invalid address, which no retry changes).</summary>
    private static readonly HashSet<string> RetryableEmailCodes = ["failed", "missing_pdf"];

    /// <summary>The stage, or null when the failure is about something else (a credit note, a webhook, a config).</summary>
    public static string? Of(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var queue = (report.Code ?? "").ToLowerInvariant();
        return report.MessageType switch
        {
            "GenerateInvoice" => Generate,
            "RenderInvoicePdf" => Render,
            "SendInvoiceEmail" or "ResendInvoiceEmail" => Email,
            // The same event feeds several consumers: the failing queue tells which step it was.
            "InvoiceFinalized" => queue.Contains("stripe") ? Stripe
                : queue.Contains("sync") || queue.Contains("ledger") || queue.Contains("account") ? Sync
                : queue.Contains("render") || queue.Contains("pdf") ? Render
                : null,
            "InvoicePdfRendered" => queue.Contains("stripe") ? Stripe
                : queue.Contains("sync") || queue.Contains("ledger") ? Sync
                : Email,
            null or "" when report.ErrorType == "invoice_email_not_sent" && RetryableEmailCodes.Contains(queue) => Email,
            _ => null,
        };
    }

    /// <summary>"have their PDF", "have been emailed": how the resolution note says the stage was reached.</summary>
    public static string Reached(string stage) => stage switch
    {
        Generate => "have their invoice",
        Render => "have their PDF",
        Email => "have been emailed",
        Sync => "are in the ledger",
        Stripe => "are in Stripe",
        _ => $"reached {stage}",
    };
}
