using System.Text;
using System.Text.Json;
using Billing.Accounting;
using Billing.Api.Contracts;
using Billing.Ledger;

namespace Billing.AdminApi.Endpoints;

/// <summary><c>GET /admin/reconcile</c> and <c>GET /api/ledger/export</c> (read role).</summary>
public static class LedgerEndpoints
{
    static readonly string[] Formats = ["csv", "json", "summary"];

    public static RouteGroupBuilder MapLedger(this RouteGroupBuilder read)
    {
        read.MapGet("/admin/reconcile", ReconcileAsync);
        read.MapGet("/api/ledger/export", ExportAsync);
        return read;
    }

    static async Task<IResult> ReconcileAsync(string? detail, ReconcileService reconcile, CancellationToken ct)
    {
        bool withDetail;
        if (detail is null)
            withDetail = false;
        else if (!bool.TryParse(detail, out withDetail))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["detail"] = ["must be true or false"] });

        var report = await reconcile.RunAsync(ct);
        return Results.Ok(new ReconcileResponse
        {
            Status = report.Status,
            AccountsChecked = report.AccountsChecked,
            InvoicesChecked = report.InvoicesChecked,
            DriftCount = report.DriftCount,
            StripeChecked = reconcile.ChecksStripe,
            Drifts = withDetail ? report.Drifts.Select(d => new ReconcileDrift(d.Kind, d.InvoiceId, d.AccountId, d.Expected, d.Actual, d.Detail)).ToList() : null,
            AcceptableDifferences = withDetail
                ? report.Acceptable.Select(a => new Billing.Api.Contracts.AcceptableDifference(a.Source, a.InvoiceId, a.AccountId, a.Expected, a.Actual, a.Difference)).ToList()
                : null,
        });
    }

    static async Task<IResult> ExportAsync(string? period, string? format, LedgerStore ledger, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        LedgerPeriod month = default;
        try
        {
            month = LedgerPeriod.Parse(period);
        }
        catch (ArgumentException)
        {
            errors["period"] = [$"'{period}' is not a month written yyyy-MM (e.g. 2026-10)"];
        }
        format ??= "csv";
        if (!Formats.Contains(format))
            errors["format"] = [$"'{format}' is not one of {string.Join(", ", Formats)}"];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors);

        var entries = await ledger.PostedInAsync(month, ct);
        var text = new StringWriter();
        switch (format)
        {
            case "csv":
                JournalExport.WriteCsv(entries, text);
                return Results.Text(text.ToString(), "text/csv", Encoding.UTF8);
            case "json":
                JournalExport.WriteJson(entries, text);
                return Results.Text(text.ToString(), "application/json", Encoding.UTF8);
            default:
                var summary = MonthEndSummary.Build(entries, month.ToString());
                return Results.Text(JsonSerializer.Serialize(summary, LedgerJson.Options), "application/json", Encoding.UTF8);
        }
    }
}
