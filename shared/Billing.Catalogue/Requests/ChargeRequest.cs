namespace Billing.Catalogue.Requests;

/// <summary>Body of <c>POST /api/accounts/{id}/charges</c>. A negative unit price is a credit.</summary>
public sealed class ChargeRequest
{
    public string? Description { get; set; }
    public decimal? Quantity { get; set; }
    public decimal? UnitPrice { get; set; }
    public string? Period { get; set; }
    public string? IdempotencyKey { get; set; }
}
