using Microsoft.AspNetCore.Http.HttpResults;
using System.Text;
using System.Text.Json;
using Billing.Ledger.Infrastructure;
using Billing.Api.Contracts;
using Billing.Ledger;

namespace Billing.AdminApi.Endpoints;

/// <summary><c>GET /admin/reconcile</c> and <c>GET /api/ledger/export</c> (read role).</summary>
public static class LedgerEndpoints
{
    static readonly string[] Formats = ["csv", "json", "summary"];

    public static void MapLedgerEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("").WithTags("Ledger");
        r.MapGet("/admin/reconcile", ReconcileAsync).WithSummary("Compare the ledger with the invoices (and Stripe when configured)");
        r.MapGet("/api/ledger/export", ExportAsync)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithMetadata(new JsonAnswerAlternatives(
                "format=json: the journal entries posted in the month (an array); format=summary: the month-end summary (an object)",
                typeof(IReadOnlyList<JournalEntry>), typeof(MonthEndSummary)))
            .WithSummary("The journal entries posted in a month: csv, json, or a month-end summary (json)");
    }

    static async Task<Results<Ok<ReconcileResponse>, ValidationProblem>> ReconcileAsync(string? detail, ReconcileService reconcile, CancellationToken ct)
    {
        bool withDetail;
        if (detail is null)
            withDetail = false;
        else if (!bool.TryParse(detail, out withDetail))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["detail"] = ["must be true or false"] });

        var report = await reconcile.RunAsync(ct);
        return TypedResults.Ok(new ReconcileResponse
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

    static async Task<Results<ContentHttpResult, ValidationProblem>> ExportAsync(string? period, string? format, LedgerStore ledger, CancellationToken ct)
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
            return TypedResults.ValidationProblem(errors);

        var entries = await ledger.PostedInAsync(month, ct);
        var text = new StringWriter();
        switch (format)
        {
            case "csv":
                JournalExport.WriteCsv(entries, text);
                return TypedResults.Text(text.ToString(), "text/csv", Encoding.UTF8);
            case "json":
                JournalExport.WriteJson(entries, text);
                return TypedResults.Text(text.ToString(), "application/json", Encoding.UTF8);
            default:
                var summary = MonthEndSummary.Build(entries, month.ToString());
                return TypedResults.Text(JsonSerializer.Serialize(summary, LedgerJson.Options), "application/json", Encoding.UTF8);
        }
    }
}
