namespace Billing.Invoicing.CreditNotes;

/// <summary>Why a credit note was issued, as stored in <c>credit_notes.reason</c> (Stripe's credit note reasons, plus goodwill).</summary>
public static class CreditNoteReasons
{
    public const string Overcharge = "overcharge";
    public const string DuplicateUsage = "duplicate_usage";
    public const string Goodwill = "goodwill";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Overcharge, DuplicateUsage, Goodwill, Other];

    public static bool IsValid(string? reason) => reason is not null && All.Contains(reason);
}
