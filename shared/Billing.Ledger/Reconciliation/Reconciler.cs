using System.Globalization;

namespace Billing.Ledger;

/// <summary>
/// Compares the invoice database (the expectation) with the ledger and, when given, Stripe. Pure: the caller
/// loads the facts, stores the report and alerts.
/// </summary>
public static class Reconciler
{
    /// <param name="stripeByInvoice">Null when Stripe is not checked (no Stripe key configured): no Stripe drifts then.</param>
    public static ReconcileReport Compare(
        IEnumerable<InvoiceFact> invoices,
        IReadOnlyDictionary<Guid, LedgerFact> ledgerByInvoice,
        IReadOnlyDictionary<Guid, StripeFact>? stripeByInvoice)
    {
        ArgumentNullException.ThrowIfNull(invoices);
        ArgumentNullException.ThrowIfNull(ledgerByInvoice);
        var drifts = new List<Drift>();
        var acceptable = new List<AcceptableDifference>();
        var seen = new HashSet<Guid>();
        var accounts = new HashSet<Guid>();
        foreach (var invoice in invoices)
        {
            if (!seen.Add(invoice.InvoiceId))
                throw new ArgumentException($"invoice {invoice.InvoiceId} appears twice in the invoice facts", nameof(invoices));
            accounts.Add(invoice.AccountId);
            CheckLedger(invoice, ledgerByInvoice, drifts, acceptable);
            if (stripeByInvoice is not null)
                CheckStripe(invoice, stripeByInvoice, drifts, acceptable);
        }
        return new ReconcileReport(
            drifts.Count == 0 ? ReconcileReport.Clean : ReconcileReport.DriftStatus,
            accounts.Count, seen.Count, drifts.Count, drifts, acceptable);
    }

    static void CheckLedger(InvoiceFact invoice, IReadOnlyDictionary<Guid, LedgerFact> ledger, List<Drift> drifts, List<AcceptableDifference> acceptable)
    {
        // The customer holds an invoice the books do not confirm: one drift, whether or not an entry exists,
        // since either the ledger write or its confirmation was lost.
        if (invoice.Emailed && !invoice.Synced)
        {
            drifts.Add(new(DriftKinds.EmailedNotSynced, invoice.InvoiceId, invoice.AccountId, "synced", "not synced",
                $"invoice {invoice.Number} was emailed but never confirmed in the ledger"
                + (ledger.ContainsKey(invoice.InvoiceId) ? " (an entry exists)" : " (no entry)")));
            return;
        }
        if (!ledger.TryGetValue(invoice.InvoiceId, out var fact))
        {
            drifts.Add(new(DriftKinds.MissingInLedger, invoice.InvoiceId, invoice.AccountId, Amount(invoice.TotalMinor), null,
                $"invoice {invoice.Number} has no journal entry"));
            return;
        }
        if (!string.Equals(fact.Currency, invoice.Currency, StringComparison.OrdinalIgnoreCase))
        {
            drifts.Add(new(DriftKinds.LedgerAmountMismatch, invoice.InvoiceId, invoice.AccountId,
                $"{Amount(invoice.TotalMinor)} {invoice.Currency}", $"{Amount(fact.ReceivableDebitMinor)} {fact.Currency}",
                $"invoice {invoice.Number} is in {invoice.Currency} but its journal entry in {fact.Currency}"));
            return;
        }
        CompareAmount("ledger", DriftKinds.LedgerAmountMismatch, invoice, fact.ReceivableDebitMinor, drifts, acceptable);
    }

    static void CheckStripe(InvoiceFact invoice, IReadOnlyDictionary<Guid, StripeFact> stripe, List<Drift> drifts, List<AcceptableDifference> acceptable)
    {
        if (!stripe.TryGetValue(invoice.InvoiceId, out var fact))
        {
            drifts.Add(new(DriftKinds.MissingInStripe, invoice.InvoiceId, invoice.AccountId, invoice.StripeInvoiceId ?? "a Stripe invoice", null,
                $"invoice {invoice.Number} is not in Stripe" + (invoice.StripeInvoiceId is null ? " (never pushed)" : "")));
            return;
        }
        CompareAmount("stripe", DriftKinds.StripeAmountMismatch, invoice, fact.TotalMinor, drifts, acceptable);
        if (!StripeStatuses.Matches(invoice.Status, fact.Status))
            drifts.Add(new(DriftKinds.StatusMismatch, invoice.InvoiceId, invoice.AccountId, invoice.Status, fact.Status,
                $"invoice {invoice.Number} is {invoice.Status} here but {fact.Status} in Stripe ({fact.StripeInvoiceId})"));
    }

    static void CompareAmount(string source, string kind, InvoiceFact invoice, decimal actual, List<Drift> drifts, List<AcceptableDifference> acceptable)
    {
        var difference = actual - invoice.TotalMinor;
        if (difference == 0)
            return;
        if (Math.Abs(difference) < 1)
            acceptable.Add(new(source, invoice.InvoiceId, invoice.AccountId, invoice.TotalMinor, actual, difference));
        else
            drifts.Add(new(kind, invoice.InvoiceId, invoice.AccountId, Amount(invoice.TotalMinor), Amount(actual),
                $"invoice {invoice.Number}: {source} holds {Amount(actual)} instead of {Amount(invoice.TotalMinor)} {invoice.Currency} minor units"));
    }

    static string Amount(decimal minor) => minor.ToString(CultureInfo.InvariantCulture);
}
