using System.Data.Common;
using System.Globalization;
using Billing.Pdf;
using Billing.Vocabulary;
using Dapper;

namespace Billing.PdfRenderer;

/// <summary>
/// What a re-rendered invoice says about its corrections: each credit note with its amount, what is left, or that
/// it was voided. Read under the invoice's lock, in the render's transaction.
/// </summary>
public static class CorrectionNotes
{
    private const string Sql = """
        select c.number, c.reason, c.issued_at, c.total_minor from credit_notes c where c.invoice_id = @id order by c.issued_at, c.number;
        select status, voided_at from invoices where id = @id;
        """;

    public static async Task<IReadOnlyList<string>> ForInvoiceAsync(DbConnection conn, DbTransaction tx, Guid invoiceId, string currency, long totalMinor, CancellationToken ct)
    {
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { id = invoiceId }, tx, cancellationToken: ct));
        var credits = (await results.ReadAsync<(string Number, string Reason, DateTime IssuedAt, long TotalMinor)>()).AsList();
        var (status, voidedAt) = await results.ReadSingleAsync<(string, DateTime?)>();
        var notes = new List<string>();
        if (status == "void")
            notes.Add($"VOID: this invoice was voided on {Date(voidedAt ?? DateTime.UtcNow)}; nothing is owed on it.");
        if (credits.Count == 0) return notes;
        string Money(long minor) => MoneyText.Format(minor, currency);
        foreach (var c in credits)
            notes.Add($"Credit note {c.Number} of {Date(c.IssuedAt)} ({c.Reason.Replace('_', ' ')}): -{Money(c.TotalMinor)}");
        var credited = credits.Sum(c => c.TotalMinor);
        notes.Add($"Credited in total {Money(credited)}; amount after credit notes {Money(totalMinor - credited)}.");
        return notes;
    }

    private static string Date(DateTime at) => DateOnly.FromDateTime(at.ToUniversalTime()).ToString("d MMM yyyy", CultureInfo.InvariantCulture);
}
