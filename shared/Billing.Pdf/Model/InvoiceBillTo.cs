namespace Billing.Pdf;

/// <summary>The customer the invoice is addressed to.</summary>
public sealed record InvoiceBillTo
{
    public required string Name { get; init; }
    public IReadOnlyList<string> AddressLines { get; init; } = [];
    public string Email { get; init; } = "";
}
