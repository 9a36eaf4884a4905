namespace Billing.Ledger;

public static partial class PostingRules
{
    /// <summary>
    /// A credit note: debit contra-revenue with its net amount and tax payable with its tax, credit the receivable with
    /// its total. Its tax part was fixed when it was issued (the invoice's tax share, see the credit note rule), so the
    /// ledger gives back exactly the tax printed on the credit note.
    /// </summary>
    public static JournalEntry ForCreditNote(CreditNoteForPosting note, DateTimeOffset postedAt)
    {
        ArgumentNullException.ThrowIfNull(note);
        var currency = LedgerCurrency.Normalize(note.Currency);
        if (note.CreditNoteId == Guid.Empty || note.InvoiceId == Guid.Empty || note.AccountId == Guid.Empty)
            throw new LedgerRuleException($"credit note {note.Number} needs its id, invoice id and account id");
        if (note.SubtotalMinor < 0 || note.TaxMinor < 0 || note.TotalMinor <= 0)
            throw new LedgerRuleException($"credit note {note.Number}: amounts must be positive (subtotal {note.SubtotalMinor}, tax {note.TaxMinor}, total {note.TotalMinor})");
        if (note.SubtotalMinor + note.TaxMinor != note.TotalMinor)
            throw new LedgerRuleException($"credit note {note.Number}: subtotal {note.SubtotalMinor} + tax {note.TaxMinor} ≠ total {note.TotalMinor}");

        var description = $"Credit note {note.Number} on invoice {note.InvoiceNumber}";
        var lines = new List<JournalLine>();
        if (note.SubtotalMinor != 0)
            lines.Add(JournalLine.Debit(LedgerAccounts.CreditNotes, note.SubtotalMinor, description));
        if (note.TaxMinor != 0)
            lines.Add(JournalLine.Debit(LedgerAccounts.TaxPayable, note.TaxMinor, description));
        lines.Add(JournalLine.Credit(LedgerAccounts.AccountsReceivable, note.TotalMinor, description));
        var sourceId = note.CreditNoteId.ToString();
        return Balanced(new JournalEntry(SourceKeys.EntryId(SourceTypes.CreditNote, sourceId), SourceTypes.CreditNote, sourceId,
            note.InvoiceId, note.AccountId, currency, postedAt, lines));
    }

    /// <summary>
    /// A void reverses the invoice's own entry line by line (every debit becomes a credit of the same account and amount),
    /// so revenue per stream, tax payable and the receivable all return to what they were before the invoice.
    /// </summary>
    public static JournalEntry ForVoid(JournalEntry invoiceEntry, string invoiceNumber, DateTimeOffset postedAt)
    {
        ArgumentNullException.ThrowIfNull(invoiceEntry);
        if (invoiceEntry.SourceType != SourceTypes.Invoice || invoiceEntry.InvoiceId is not { } invoiceId)
            throw new LedgerRuleException($"entry {invoiceEntry.SourceKey} is not an invoice entry; only an invoice can be voided");
        var description = $"Void of invoice {invoiceNumber}";
        var lines = invoiceEntry.Lines.Select(l => new JournalLine(l.LedgerAccount, l.CreditMinor, l.DebitMinor, description)).ToList();
        var sourceId = invoiceId.ToString();
        return Balanced(new JournalEntry(SourceKeys.EntryId(SourceTypes.Void, sourceId), SourceTypes.Void, sourceId,
            invoiceId, invoiceEntry.AccountId, invoiceEntry.Currency, postedAt, lines));
    }
}
