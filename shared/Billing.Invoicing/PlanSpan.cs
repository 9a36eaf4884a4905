namespace Billing.Invoicing;

/// <summary>Consecutive days of a period (<see cref="From"/>–<see cref="To"/>, inclusive) billed with one plan, and
/// the usage that occurred while it was in force (by metric).</summary>
public sealed record PlanSpan(PlanDefinition Plan, DateOnly From, DateOnly To, IReadOnlyDictionary<string, decimal> Usage);

/// <summary>Usage of an earlier period that arrived after that period was invoiced, billed on a later invoice.
/// <see cref="InvoicedQuantity"/> is what the earlier invoices already charged for (same period, plan and metric),
/// so the late line costs price(invoiced + late) − price(invoiced) and tiers stay right.</summary>
public sealed record LateUsage(BillingPeriod Period, PlanDefinition Plan, string Metric, decimal InvoicedQuantity, decimal LateQuantity);
