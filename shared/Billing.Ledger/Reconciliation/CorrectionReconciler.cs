using System.Globalization;

namespace Billing.Ledger;

/// <summary>
/// Credit notes and voids against the ledger (each one entry crediting the receivable with its total) and, when
/// Stripe is checked, credit notes of invoices pushed to Stripe against their Stripe credit note. Drifts use the
/// invoice's id and the existing kinds, with the document named in the detail.
/// </summary>
public static class CorrectionReconciler
{
    public static IReadOnlyList<Drift> Compare(IEnumerable<CorrectionFact> corrections, bool checkStripe)
    {
        var drifts = new List<Drift>();
        foreach (var c in corrections)
        {
            if (c.LedgerReceivableCreditMinor is not { } ledger)
                drifts.Add(new(DriftKinds.MissingInLedger, c.InvoiceId, c.AccountId, Amount(c.TotalMinor), null, $"{c.Label} has no journal entry"));
            else if (ledger != c.TotalMinor)
                drifts.Add(new(DriftKinds.LedgerAmountMismatch, c.InvoiceId, c.AccountId, Amount(c.TotalMinor), Amount(ledger),
                    $"{c.Label}: the ledger credits {Amount(ledger)} instead of {Amount(c.TotalMinor)} {c.Currency} minor units to the receivable"));
            if (checkStripe && c.Kind == CorrectionFact.CreditNote && c.StripeInvoiceId is not null && c.StripeDocumentId is null)
                drifts.Add(new(DriftKinds.MissingInStripe, c.InvoiceId, c.AccountId, "a Stripe credit note", null,
                    $"{c.Label} is not in Stripe (invoice {c.StripeInvoiceId})"));
        }
        return drifts;
    }

    static string Amount(long minor) => minor.ToString(CultureInfo.InvariantCulture);
}
