using System.Globalization;
using Billing.Vocabulary;

namespace Billing.PdfRenderer;

/// <summary>
/// What a re-rendered invoice says about its corrections: each credit note with its amount, what is left, or that
/// it was voided; from the rows read under the invoice's lock, in the render's transaction.
/// </summary>
public static class CorrectionNotes
{
    public static IReadOnlyList<string> For(InvoiceRow invoice, IReadOnlyList<CreditNoteRow> credits)
    {
        var currency = invoice.Currency.Trim();
        var notes = new List<string>();
        if (invoice.Status == "void")
            notes.Add($"VOID: this invoice was voided on {Date(invoice.VoidedAt ?? DateTime.UtcNow)}; nothing is owed on it.");
        if (credits.Count == 0) return notes;
        string Money(long minor) => MoneyText.Format(minor, currency);
        foreach (var c in credits)
            notes.Add($"Credit note {c.Number} of {Date(c.IssuedAt)} ({c.Reason.Replace('_', ' ')}): -{Money(c.TotalMinor)}");
        var credited = credits.Sum(c => c.TotalMinor);
        notes.Add($"Credited in total {Money(credited)}; amount after credit notes {Money(invoice.TotalMinor - credited)}.");
        return notes;
    }

    private static string Date(DateTime at) => DateOnly.FromDateTime(at.ToUniversalTime()).ToString("d MMM yyyy", CultureInfo.InvariantCulture);
}
