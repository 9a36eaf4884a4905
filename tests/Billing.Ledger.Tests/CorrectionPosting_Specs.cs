namespace Billing.Ledger.Tests;

public class When_a_credit_note_is_posted
{
    [Fact]
    public void Does_debit_contra_revenue_and_tax_and_credit_the_receivable_once_per_credit_note()
    {
        var id = Guid.NewGuid();
        var note = new CreditNoteForPosting(id, Guid.NewGuid(), Guid.NewGuid(), "CN-2026-000001", "INV-2026-000001", "EUR", 420, 80, 500);

        var entry = PostingRules.ForCreditNote(note, Sample.At);

        Assert.Equal(420, entry.Debit(LedgerAccounts.CreditNotes));
        Assert.Equal(80, entry.Debit(LedgerAccounts.TaxPayable));
        Assert.Equal(500, entry.Credit(LedgerAccounts.AccountsReceivable));
        Assert.Equal((SourceTypes.CreditNote, id.ToString()), (entry.SourceType, entry.SourceId));
        Assert.Equal(PostingRules.ForCreditNote(note, Sample.At).Id, entry.Id);
        entry.EnsureBalanced();
    }

    [Fact]
    public void Does_refuse_totals_that_do_not_add_up() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForCreditNote(
            new CreditNoteForPosting(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "CN-1", "INV-1", "EUR", 420, 80, 501), Sample.At));

    [Fact]
    public void Does_lower_what_the_customer_owes_in_the_invoice_balance()
    {
        var invoice = Sample.Simple(1000, 190, "USD");
        var note = PostingRules.ForCreditNote(new CreditNoteForPosting(Guid.NewGuid(), invoice.InvoiceId, invoice.AccountId, "CN-1", "INV-1", "USD", 100, 19, 119), Sample.At);
        Assert.Equal(119, InvoiceBalance.Of(invoice).Apply(note).CreditedToReceivableMinor);
    }
}

public class When_an_invoice_is_voided
{
    [Fact]
    public void Does_reverse_every_line_of_the_invoice_entry()
    {
        var invoiceEntry = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);

        var reversal = PostingRules.ForVoid(invoiceEntry, "INV-2026-000001", Sample.At);

        Assert.Equal(invoiceEntry.Lines.Select(l => (l.LedgerAccount, l.DebitMinor, l.CreditMinor)),
            reversal.Lines.Select(l => (l.LedgerAccount, l.CreditMinor, l.DebitMinor)));
        Assert.Equal((SourceTypes.Void, invoiceEntry.InvoiceId.ToString()), (reversal.SourceType, reversal.SourceId));
        reversal.EnsureBalanced();
    }
}

public class When_credit_notes_and_voids_are_reconciled
{
    [Fact]
    public void Does_report_a_missing_or_different_entry_and_a_credit_note_missing_in_stripe()
    {
        var (invoice, account) = (Guid.NewGuid(), Guid.NewGuid());
        CorrectionFact Fact(string kind, long? ledger, string? stripeInvoice = null, string? stripeNote = null) =>
            new(kind, invoice, account, "credit note CN-1", "EUR", 500, ledger, stripeInvoice, stripeNote);

        Assert.Empty(CorrectionReconciler.Compare([Fact(CorrectionFact.CreditNote, 500, "in_1", "cn_1"), Fact(CorrectionFact.Void, 500, "in_1")], checkStripe: true));
        var drifts = CorrectionReconciler.Compare([Fact(CorrectionFact.CreditNote, null), Fact(CorrectionFact.CreditNote, 499), Fact(CorrectionFact.CreditNote, 500, "in_1")], checkStripe: true);
        Assert.Equal(new[] { DriftKinds.MissingInLedger, DriftKinds.LedgerAmountMismatch, DriftKinds.MissingInStripe }, drifts.Select(d => d.Kind));
        Assert.Empty(CorrectionReconciler.Compare([Fact(CorrectionFact.CreditNote, 500, "in_1")], checkStripe: false));
    }
}
