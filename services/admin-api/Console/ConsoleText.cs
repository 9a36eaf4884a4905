using System.Globalization;
using System.Text;
using Billing.Invoicing.Infrastructure;
using Billing.Vocabulary;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>Numbers, money, times and statuses as the console writes them (invariant culture, UTC).</summary>
public static class ConsoleText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string N(long n) => n.ToString("N0", Invariant);

    /// <summary>"EUR 14,002.22", "JPY 5,174": the currency's own minor units (<see cref="MoneyText"/>).</summary>
    public static string Money(long minor, string currency) =>
        Currencies.IsKnown(currency) ? MoneyText.Format(minor, currency) : $"{currency} {N(minor)} (minor units)";

    /// <summary>"150", "0.05", "0.0005": a stored quantity or price without its trailing zeros.</summary>
    public static string Decimal(decimal value) => value.ToString("#,##0.############", Invariant);

    /// <summary>An email delivery's state in words, with a symbol so that it reads without colour.</summary>
    public static string DeliveryState(string state) => state switch
    {
        "accepted" => "✓ accepted by the mail server",
        "pending" => "⌛ pending (waiting for its PDF)",
        "sending" => "⌛ sending",
        "failed" => "⚠ failed",
        "invalid_address" => "⚠ invalid address",
        "missing_pdf" => "⚠ missing PDF",
        _ => state.Replace('_', ' '),
    };

    public static string Percent(long n, long of) =>
        of <= 0 ? "—" : (100.0 * n / of).ToString("0.0", Invariant) + " %";

    public static string Utc(DateTime? at) =>
        at is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC" : "—";

    public static string Utc(DateTimeOffset? at) => Utc(at?.UtcDateTime);

    /// <summary>"45 s", "3 min 20 s", "2 h 5 min".</summary>
    public static string Duration(double seconds)
    {
        var s = (long)Math.Round(Math.Max(0, seconds));
        if (s < 60) return $"{s} s";
        if (s < 3600) return s % 60 == 0 ? $"{s / 60} min" : $"{s / 60} min {s % 60} s";
        return $"{s / 3600} h {s % 3600 / 60} min";
    }

    public static string Eta(RunProgress p) => p.Run.FannedOutAt is null ? "not known yet: the run is still listing its accounts" : p.EtaSeconds switch
    {
        null => "not known yet",
        0 => "none: every account has an outcome",
        { } s => "about " + Duration(s),
    };

    public static string Rate(double perSecond) => perSecond.ToString("0.0", Invariant) + " invoices/s";

    /// <summary>A status in words with a symbol, so that it reads without colour; <c>Css</c> only adds colour.</summary>
    public static (string Symbol, string Label, string Css) Status(string status) => status switch
    {
        RunStatus.Running => ("▶", "Running", "running"),
        RunStatus.NeedsAttention => ("⚠", "Needs attention", "attention"),
        RunStatus.Completed => ("✓", "Completed", "completed"),
        RunStatus.Cancelling => ("■", "Cancelling", "cancelled"),
        RunStatus.Cancelled => ("■", "Cancelled", "cancelled"),
        _ => ("?", status, "unknown"),
    };

    /// <summary>The closing report of a completed run, plain text to paste into a ticket or an email.</summary>
    public static string ClosingReport(RunProgress p)
    {
        var run = p.Run;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"Billing run {run.Period}: {Status(run.Status).Label.ToLowerInvariant()}");
        text.AppendLine(Invariant, $"Run        {run.Id}");
        text.AppendLine(Invariant, $"Started    {Utc(run.StartedAt)}{(run.RequestedBy is null ? "" : " by " + run.RequestedBy)}");
        if (run.CompletedAt is { } done)
            text.AppendLine(Invariant, $"Completed  {Utc(done)} ({Duration((done - run.StartedAt).TotalSeconds)})");
        text.AppendLine(Invariant, $"Accounts   {N(p.Accounts)}: {N(p.Generated)} invoiced, {N(p.Skipped)} skipped, {N(p.Failed)} failed");
        text.AppendLine(Invariant, $"Invoices   {N(p.Generated)}: {N(p.Rendered)} rendered, {N(p.Emailed)} emailed, {N(p.Synced)} synced, {N(p.PushedToStripe)} pushed to Stripe");
        text.AppendLine("Totals");
        if (p.Totals.Count == 0) text.AppendLine("  none (no invoice issued)");
        var width = p.Totals.Count == 0 ? 0 : p.Totals.Max(t => Money(t.TotalMinor, t.Currency).Length);
        foreach (var t in p.Totals)
            text.AppendLine(Invariant, $"  {Money(t.TotalMinor, t.Currency).PadRight(width)}  {N(t.Invoices)} invoice{(t.Invoices == 1 ? "" : "s")}");
        return text.ToString().TrimEnd();
    }
}
