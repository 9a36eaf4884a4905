namespace Billing.Errors;

/// <summary>The step of an invoice's life a failure blocked (<see cref="Stages"/>), when it can be told: it is what the
/// error log watches to resolve a group once the work went through after all (see the error log's automatic
/// resolution).</summary>
public static class ErrorStages
{
    /// <summary>
    /// The stage, or null when the failure is about something else (a credit note, a webhook, a config). A fault or a
    /// dead letter names the queue it failed on (<see cref="ErrorReport.Code"/>), whose stage <see cref="ConsumerEndpoints"/>
    /// holds; an email the mailer reports as not sent has its state as code, and only a failure a retry can fix (not a
    /// suppressed or invalid address, which no retry changes) blocks the email stage.
    /// </summary>
    public static string? Of(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (string.IsNullOrEmpty(report.MessageType) && report.ErrorType == "invoice_email_not_sent")
            return EmailDeliveryStates.IsRetryable(report.Code) ? Stages.Email : null;
        return ConsumerEndpoints.StageOf(report.Code);
    }

    /// <summary>"have their PDF", "have been emailed": how the resolution note says the stage was reached.</summary>
    public static string Reached(string stage) => stage switch
    {
        Stages.Generate => "have their invoice",
        Stages.Render => "have their PDF",
        Stages.Email => "have been emailed",
        Stages.Sync => "are in the ledger",
        Stages.Stripe => "are in Stripe",
        _ => $"reached {stage}",
    };
}
