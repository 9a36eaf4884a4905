namespace Billing.Pdf;

/// <summary>The company that issues the invoice. The logo (PNG or JPEG) comes from bytes or, if none, a file.</summary>
public sealed record InvoiceIssuer
{
    public required string Name { get; init; }
    public IReadOnlyList<string> AddressLines { get; init; } = [];
    public string TaxId { get; init; } = "";
    public string Email { get; init; } = "";
    public string? LogoPath { get; init; }
    public byte[]? LogoBytes { get; init; }
}
