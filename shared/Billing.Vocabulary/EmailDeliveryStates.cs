namespace Billing.Vocabulary;

/// <summary>
/// Where an email stands: <c>invoices.email_status</c> and <c>credit_notes.email_status</c> (pending → sending → sent,
/// or a state that says why it was not sent) and <c>email_deliveries.state</c>, which says accepted (by the SMTP
/// server) where the document says sent.
/// </summary>
public static class EmailDeliveryStates
{
    /// <summary>Not tried yet (a resend: waiting for its PDF to be re-rendered).</summary>
    public const string Pending = "pending";

    /// <summary>Claimed by the mailer, which is talking to the SMTP server.</summary>
    public const string Sending = "sending";

    /// <summary>An invoice or credit note whose email the SMTP server accepted.</summary>
    public const string Sent = "sent";

    /// <summary>A delivery the SMTP server accepted (<c>email_deliveries.state</c>).</summary>
    public const string Accepted = "accepted";

    /// <summary>The address is on the suppression list: a decision, no retry changes it.</summary>
    public const string Suppressed = "suppressed";

    /// <summary>The recipient is not a valid address: a decision, no retry changes it.</summary>
    public const string InvalidAddress = "invalid_address";

    /// <summary>No PDF stored to attach: a retry after a re-render fixes it.</summary>
    public const string MissingPdf = "missing_pdf";

    /// <summary>The SMTP server refused or could not be reached: a retry may fix it.</summary>
    public const string Failed = "failed";

    /// <summary>The states of an email that was not sent and will not be without someone acting.</summary>
    public static readonly IReadOnlyList<string> NotSent = [Suppressed, InvalidAddress, MissingPdf, Failed];

    /// <summary>True for a failure a retry can fix (<see cref="Failed"/>, <see cref="MissingPdf"/>), not a decision.</summary>
    public static bool IsRetryable(string? state) => state is Failed or MissingPdf;

    /// <summary>True for a state that says the email was not sent (<see cref="NotSent"/>).</summary>
    public static bool IsNotSent(string? state) => state is Suppressed or InvalidAddress or MissingPdf or Failed;
}
