using System.Globalization;
using Billing.Contracts;

namespace Billing.Errors;

/// <summary>Chat texts for billing operations when an invoice run starts and when it is complete
/// (the runbook's "post the invoice count when done").</summary>
public static class RunReports
{
    public static string Started(InvoiceRunStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        return $"Invoice run {started.Period} started at {MarkdownTable.Time(started.StartedAt)} UTC: " +
               $"{N(started.Accounts)} accounts to invoice (run {started.RunId:D})";
    }

    public static string Completed(InvoiceRunCompleted done)
    {
        ArgumentNullException.ThrowIfNull(done);
        var duration = done.CompletedAt - done.StartedAt;
        var lines = new List<string>
        {
            $"*Invoice run {done.Period} completed* in {Duration(duration)} (run {done.RunId:D})",
            $"• invoices: {N(done.Invoices)} of {N(done.Accounts)} accounts{Rate(done.Invoices, duration)}",
            $"• totals: {Totals(done.Totals)}",
            $"• emails sent: {N(done.Emailed)}",
            $"• synced to the ledger: {N(done.Synced)}",
            $"• failures: {N(done.Failed)}",
            $"• skipped: {N(done.Skipped)}",
        };
        if (done.Failed > 0) lines.Add($"{N(done.Failed)} failed invoice requests are waiting: retry them with POST /api/runs/{done.RunId:D}/retry-failed");
        return string.Join('\n', lines);
    }

    private static string Totals(IReadOnlyList<CurrencyTotal>? totals)
    {
        if (totals is null || totals.Count == 0) return "none";
        return string.Join(", ", totals
            .OrderBy(t => t.Currency, StringComparer.Ordinal)
            .Select(t => $"{Money(t.TotalMinor, t.Currency)} ({N(t.Invoices)} invoices)"));
    }

    // A report still prints when a total comes in a currency the table does not know: as minor units, said so.
    private static string Money(long minor, string currency) =>
        Currencies.IsKnown(currency) ? MoneyText.Format(minor, currency) : $"{currency} {minor.ToString(CultureInfo.InvariantCulture)} (minor units)";

    private static string Rate(int invoices, TimeSpan duration) =>
        duration.TotalSeconds >= 1 && invoices > 0
            ? $" ({(invoices / duration.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)} invoices/s)"
            : "";

    /// <summary>"1h 02m 03s", "4m 05s", "12s"; "unknown time" when the clocks disagree (completed before started).</summary>
    internal static string Duration(TimeSpan d)
    {
        if (d < TimeSpan.Zero) return "unknown time";
        var hours = (long)d.TotalHours;
        return hours > 0 ? $"{hours}h {d.Minutes:00}m {d.Seconds:00}s"
            : d.Minutes > 0 ? $"{d.Minutes}m {d.Seconds:00}s"
            : $"{d.Seconds}s";
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
