using System.ComponentModel.DataAnnotations;
using Billing.Pdf;

namespace Billing.PdfRenderer;

/// <summary>
/// The issuer block printed on every invoice (<c>Issuer__*</c>). The defaults make a demo work out of the box;
/// a real deployment sets at least the name, address, tax id and payment terms.
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

    public string PaymentTerms { get; set; } = "Payable within 14 days of the issue date, quoting the invoice number.";

    public string Footer { get; set; } = "";

    public InvoiceIssuer ToIssuer() => new()
    {
        Name = Name.Trim(),
        AddressLines = AddressLines.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        TaxId = TaxId.Trim(),
        Email = Email.Trim(),
        LogoPath = string.IsNullOrWhiteSpace(LogoPath) ? null : LogoPath,
    };

    internal static bool LogoExists(IssuerOptions o) => string.IsNullOrWhiteSpace(o.LogoPath) || File.Exists(o.LogoPath);
}
