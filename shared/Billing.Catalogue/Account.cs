using System.Text.Json.Serialization;
using Billing.Catalogue.Json;

namespace Billing.Catalogue;

/// <summary>A row of <c>accounts</c> with its plan's code. <see cref="BillingEmail"/> is stored as given
/// (possibly empty or malformed): the mailer records such an address as <c>invalid_address</c> at send time.
/// Billed from <see cref="BillingStartsOn"/> through <see cref="BillingEndsOn"/> (both inclusive; no end: until one is
/// set); <see cref="PlanCode"/> is the plan of its latest plan change.</summary>
public sealed record Account(
    Guid Id, string Name, string BillingEmail, Address Address, string Currency, Guid PlanId, string PlanCode,
    [property: JsonConverter(typeof(DecimalStringConverter))] decimal TaxRate,
    string? StripeCustomerId, string? ExternalRef, string Issuer, bool Active, DateTime CreatedAt,
    DateOnly BillingStartsOn, DateOnly? BillingEndsOn);

/// <summary><c>accounts.address</c> jsonb: <c>{"line1","line2","city","postal_code","country"}</c>.</summary>
public sealed record Address(
    [property: JsonPropertyName("line1")] string Line1,
    [property: JsonPropertyName("line2"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Line2,
    [property: JsonPropertyName("city")] string City,
    [property: JsonPropertyName("postal_code")] string PostalCode,
    [property: JsonPropertyName("country")] string Country);

/// <summary>One page of a keyset listing; pass <see cref="NextAfter"/> as <c>after</c> for the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, Guid? NextAfter);
