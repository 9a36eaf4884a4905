namespace Billing.Catalogue;

/// <summary>A value a PATCH sets, or leaves alone when absent; <c>null</c> inside means "clear it".</summary>
public readonly record struct Change<T>(bool IsSet, T Value)
{
    public static Change<T> To(T value) => new(true, value);
}

/// <summary>A validated <c>PATCH /api/accounts/{id}</c> body: only the fields present are changed.
/// <see cref="Plan"/> (code or id) comes with the day it takes effect.</summary>
public sealed record AccountChanges
{
    public Change<string> Name { get; init; }
    public Change<string> BillingEmail { get; init; }
    public Change<Address> Address { get; init; }
    public Change<decimal> TaxRate { get; init; }
    public Change<string> Issuer { get; init; }
    public Change<string?> StripeCustomerId { get; init; }
    public Change<string?> ExternalRef { get; init; }
    public Change<DateOnly?> BillingEndsOn { get; init; }
    public (string Reference, string Field, DateOnly EffectiveOn)? Plan { get; init; }
}

/// <summary>One change of an account field: who (the API key's name), when, from what to what.</summary>
public sealed record AccountHistoryEntry(DateTime ChangedAt, string ChangedBy, string Field, string? OldValue, string? NewValue);
