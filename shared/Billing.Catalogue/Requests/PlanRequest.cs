using System.Text.Json;

namespace Billing.Catalogue.Requests;

/// <summary>Body of <c>POST /api/plans</c>. <see cref="Components"/> stays raw JSON so that
/// <see cref="Billing.Invoicing.PlanComponentsJson.Parse"/> reads it exactly as the invoice generator will.</summary>
public sealed class PlanRequest
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Currency { get; set; }
    public long? BaseFeeMinor { get; set; }
    public JsonElement Components { get; set; }
}
