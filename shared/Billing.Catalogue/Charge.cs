using System.Text.Json.Serialization;
using Billing.Catalogue.Json;

namespace Billing.Catalogue;

/// <summary>A row of <c>charges</c>: quantity × unit price in major units of the account's currency,
/// billed with the account's invoice of <see cref="Period"/>.</summary>
public sealed record Charge(
    Guid Id, Guid AccountId, string Period, string Description,
    [property: JsonConverter(typeof(DecimalStringConverter))] decimal Quantity,
    [property: JsonConverter(typeof(DecimalStringConverter))] decimal UnitPrice,
    string? IdempotencyKey, DateTime CreatedAt);

/// <summary>What <c>POST /api/usage</c> answers: <see cref="Duplicates"/> counts records whose
/// idempotency key was already stored (or repeated in the batch) and were therefore not counted again.</summary>
public sealed record UsageBatchResult(int Accepted, int Duplicates, IReadOnlyList<LateUsageRecord> Late);

/// <summary>A record accepted for a period already invoiced (or being invoiced) for its account: billed once, as its own
/// line, on the account's next invoice.</summary>
public sealed record LateUsageRecord(string IdempotencyKey, string Period, string Reason, string BilledWith = "next invoice");
