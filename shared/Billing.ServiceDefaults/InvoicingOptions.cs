using System.ComponentModel.DataAnnotations;

namespace Billing.ServiceDefaults;

/// <summary>
/// Invoice terms every service agrees on (<c>Invoicing__*</c>). The generator stores the due date from the term;
/// Stripe, the PDF and the email take the stored date, so an invoice never shows two different terms.
/// </summary>
public sealed class InvoicingOptions
{
    public const string Section = "Invoicing";

    /// <summary>Days from the issue date until payment is due (<c>Invoicing__PaymentTermDays</c>).</summary>
    [Range(0, 365, ErrorMessage = "must be a number of days from 0 to 365")]
    public int PaymentTermDays { get; set; } = 30;

    public DateOnly DueDate(DateOnly issued) => issued.AddDays(PaymentTermDays);
}
