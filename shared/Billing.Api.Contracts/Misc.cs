namespace Billing.Api.Contracts;

/// <summary>The name and role (viewer or operator) of the API key sent.</summary>
public sealed record WhoAmI(string? Name, string? Role);

/// <summary>An invoice the ledger and the documents disagree on.</summary>
public sealed record ReconcileDrift(string Kind, Guid InvoiceId, Guid AccountId, string? Expected, string? Actual, string Detail);

/// <summary>A difference within tolerance (rounding at the payment provider); the amounts are decimals written as strings.</summary>
public sealed record AcceptableDifference(string Source, Guid InvoiceId, Guid AccountId, decimal Expected, decimal Actual, decimal Difference);

/// <summary>GET /admin/reconcile; <c>drifts</c> and <c>acceptable_differences</c> only with <c>?detail=true</c>.</summary>
public sealed record ReconcileResponse
{
    public required string Status { get; init; }
    public required int AccountsChecked { get; init; }
    public required int InvoicesChecked { get; init; }
    public required int DriftCount { get; init; }
    public required bool StripeChecked { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReconcileDrift>? Drifts { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AcceptableDifference>? AcceptableDifferences { get; init; }
}

/// <summary>What became of a Stripe event: <c>outcome</c> is duplicate for an event already received.</summary>
public sealed record StripeWebhookAck(
    string Id, string Outcome,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Reason);

/// <summary>GET /health, as every service answers it (Billing.ServiceDefaults): <c>status</c> is healthy, degraded or
/// unhealthy, over each dependency's check by its name (postgres, rabbitmq, …).</summary>
public sealed record ServiceHealth(string Status, string? Version, string? Service, IReadOnlyDictionary<string, DependencyHealth> Checks);

/// <summary>One dependency's check: its status, what it said (or the exception's message) and how long it took.</summary>
public sealed record DependencyHealth(string Status, string? Description, long DurationMs);
