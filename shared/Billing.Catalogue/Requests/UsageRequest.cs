namespace Billing.Catalogue.Requests;

/// <summary>Body of <c>POST /api/usage</c>.</summary>
public sealed class UsageBatchRequest
{
    public List<UsageRecordRequest?>? Records { get; set; }
}

public sealed class UsageRecordRequest
{
    public Guid? AccountId { get; set; }
    public string? Metric { get; set; }
    public decimal? Quantity { get; set; }
    public DateTimeOffset? OccurredAt { get; set; }
    public string? IdempotencyKey { get; set; }
}
