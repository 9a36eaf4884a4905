using System.Text.Json.Serialization;

namespace Billing.Api.Contracts;

/// <summary>A price plan: a monthly base fee and metered components, whose prices read back exactly as given.</summary>
public sealed record PlanResponse(
    Guid Id, string Code, string Name, string Currency, long BaseFeeMinor, IReadOnlyList<PlanComponent> Components, DateTime CreatedAt);

/// <summary>One metered element of a plan; <c>model</c> (per_unit, graduated, volume, package) says which price fields apply.</summary>
public sealed record PlanComponent
{
    public string? Metric { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    public string? Model { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(ExactDecimalStringConverter))]
    public decimal? UnitPrice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PlanPriceTier>? Tiers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(ExactDecimalStringConverter))]
    public decimal? PackageSize { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(ExactDecimalStringConverter))]
    public decimal? PackagePrice { get; init; }
}

/// <summary>A tier of a graduated or volume component; <c>up_to</c> null is the open last tier.</summary>
public sealed record PlanPriceTier
{
    [JsonConverter(typeof(ExactDecimalStringConverter))]
    public decimal? UpTo { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(ExactDecimalStringConverter))]
    public decimal? UnitPrice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(ExactDecimalStringConverter))]
    public decimal? FlatFee { get; init; }
}

public sealed record PlanList(IReadOnlyList<PlanResponse> Items);

/// <summary>POST /api/plans.</summary>
public sealed record CreatePlanRequest(string Code, string Name, string Currency, long BaseFeeMinor, IReadOnlyList<PlanComponent> Components);

public sealed record AccountAddress(
    string Line1,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Line2,
    string City, string PostalCode, string Country);

/// <summary>A customer account; <c>tax_rate</c> is a percent ("19" for 19 %).</summary>
public sealed record AccountResponse(
    Guid Id, string Name, string BillingEmail, AccountAddress Address, string Currency, Guid PlanId, string PlanCode,
    decimal TaxRate, string? StripeCustomerId, string? ExternalRef, string Issuer, bool Active, DateTime CreatedAt,
    DateOnly BillingStartsOn, DateOnly? BillingEndsOn);

/// <summary>POST /api/accounts (and each element of POST /api/accounts/batch). <c>plan</c> is a plan code or id.</summary>
public sealed record CreateAccountRequest
{
    public required string Name { get; init; }
    public required string BillingEmail { get; init; }
    public required AccountAddress Address { get; init; }
    public required string Currency { get; init; }
    public required string Plan { get; init; }
    public decimal? TaxRate { get; init; }
    public string? StripeCustomerId { get; init; }
    public string? ExternalRef { get; init; }
    public string? Issuer { get; init; }
    public DateOnly? BillingStartsOn { get; init; }
    public DateOnly? BillingEndsOn { get; init; }
}

public sealed record CreateAccountsRequest(IReadOnlyList<CreateAccountRequest> Accounts);

public sealed record AccountsCreated(int Created, IReadOnlyList<AccountResponse> Accounts);

/// <summary>A page of accounts; the next page starts after <c>next_after</c> (null on the last page).</summary>
public sealed record AccountPage(IReadOnlyList<AccountResponse> Items, Guid? NextAfter);

/// <summary>PATCH /api/accounts/{id}: only the fields given change; <c>plan</c> with <c>plan_effective_on</c> moves the
/// account to another plan from that day (or <c>plan_id</c> / <c>plan_code</c>); null clears <c>stripe_customer_id</c>, <c>external_ref</c> and
/// <c>billing_ends_on</c>.</summary>
public sealed record UpdateAccountRequest
{
    public string? Name { get; init; }
    public string? BillingEmail { get; init; }
    public AccountAddress? Address { get; init; }
    public decimal? TaxRate { get; init; }
    public string? Issuer { get; init; }
    public string? StripeCustomerId { get; init; }
    public string? ExternalRef { get; init; }
    public DateOnly? BillingEndsOn { get; init; }
    /// <summary>The new plan by code or id; <c>plan_id</c> and <c>plan_code</c> name it too.</summary>
    public string? Plan { get; init; }
    public Guid? PlanId { get; init; }
    public string? PlanCode { get; init; }
    public DateOnly? PlanEffectiveOn { get; init; }
}

public sealed record AccountHistoryEntry(DateTime ChangedAt, string ChangedBy, string Field, string? OldValue, string? NewValue);

public sealed record AccountHistory(IReadOnlyList<AccountHistoryEntry> Items);

/// <summary>A one-off charge billed with the invoice of its period.</summary>
public sealed record ChargeResponse(
    Guid Id, Guid AccountId, string Period, string Description, decimal Quantity, decimal UnitPrice, string? IdempotencyKey, DateTime CreatedAt);

public sealed record ChargeList(IReadOnlyList<ChargeResponse> Items);

/// <summary>POST /api/accounts/{id}/charges; the same <c>idempotency_key</c> again answers the stored charge (200).</summary>
public sealed record AddChargeRequest(string Description, decimal Quantity, decimal UnitPrice, string Period, string? IdempotencyKey);

public sealed record UsageRecordInput(Guid AccountId, string Metric, decimal Quantity, DateTimeOffset OccurredAt, string IdempotencyKey);

/// <summary>POST /api/usage: at most 10,000 records.</summary>
public sealed record RecordUsageRequest(IReadOnlyList<UsageRecordInput> Records);

/// <summary>Usage of a period already invoiced is billed with the next invoice.</summary>
public sealed record LateUsage(string IdempotencyKey, string Period, string Reason, string BilledWith);

public sealed record UsageAccepted(int Accepted, int Duplicates, IReadOnlyList<LateUsage> Late);
