using System.ComponentModel.DataAnnotations;
using Billing.Pdf;

namespace Billing.PdfRenderer;

/// <summary>
/// The issuer block printed on every invoice (<c>Issuer__*</c>). The defaults make a demo work out of the box;
/// a real deployment sets at least the name, address, tax id and payment instructions. The payment term itself is
/// not here: the PDF states the invoice's stored due date (from <c>Invoicing__PaymentTermDays</c>).
/// </summary>
public sealed class IssuerOptions
{
    public const string Section = "Issuer";

    [Required(AllowEmptyStrings = false, ErrorMessage = "is required: the issuing company's legal name printed on every invoice")]
    public string Name { get; set; } = "Billing Demo Company Ltd";

    /// <summary>Address lines separated by ';', e.g. "1 Example Street;10117 Berlin;Germany".</summary>
    public string AddressLines { get; set; } = "1 Example Street;10117 Berlin;Germany";

    public string TaxId { get; set; } = "";

    public string Email { get; set; } = "billing@example.com";

    /// <summary>Optional PNG or JPEG printed at the top left.</summary>
    public string? LogoPath { get; set; }

    /// <summary>How to pay, printed after the term, e.g. "By bank transfer to IBAN DE02 1203 0000 0000 2020 51."; no days here.</summary>
    public string PaymentInstructions { get; set; } = "";

    /// <summary>
    /// The former free-text term, which could contradict the stored due date; refused at start so a deployment that
    /// still sets it learns where its text now goes.
    /// </summary>
    public string? PaymentTerms { get; set; }

    public string Footer { get; set; } = "";

    public InvoiceIssuer ToIssuer() => new()
    {
        Name = Name.Trim(),
        AddressLines = AddressLines.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        TaxId = TaxId.Trim(),
        Email = Email.Trim(),
        LogoPath = string.IsNullOrWhiteSpace(LogoPath) ? null : LogoPath,
    };

    internal static bool NoFreeTextTerm(IssuerOptions o) => string.IsNullOrWhiteSpace(o.PaymentTerms);

    internal static bool LogoExists(IssuerOptions o) => string.IsNullOrWhiteSpace(o.LogoPath) || File.Exists(o.LogoPath);
}
