using System.CommandLine;
using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Ledger;
using Spectre.Console;

namespace Billing.Cli.Commands;

public static class LedgerCommands
{
    /// <summary><c>billing ledger export --period 2026-10 [--format csv|json|summary] [--output file]</c></summary>
    public static Command Ledger()
    {
        var period = new Option<string>("--period") { Description = "Month of posting, yyyy-MM (e.g. 2026-10)", Required = true };
        var format = new Option<string>("--format") { Description = "csv (one row per line), json (entries) or summary (month-end trial balance)", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json", "summary");
        var output = new Option<string?>("--output") { Description = "Write to this file instead of standard output" };
        var export = new Command("export", "Export the journal of a month, or its month-end summary per currency and account") { period, format, output };
        export.SetApiAction(async (parse, api, ct) =>
        {
            var chosen = parse.GetValue(format)!;
            var path = $"/api/ledger/export?period={Uri.EscapeDataString(parse.GetValue(period)!)}&format={chosen}";
            var bytes = await api.GetBytesAsync(path, ct);
            if (parse.GetValue(output) is { Length: > 0 } file)
            {
                await File.WriteAllBytesAsync(file, bytes, ct);
                Console.WriteLine($"wrote {bytes.Length} bytes to {file}");
                return chosen == "summary" ? SummaryExitCode(bytes) : 0;
            }
            if (chosen != "summary")
            {
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(bytes, ct);
                return 0;
            }
            return PrintSummary(bytes);
        });
        var ledger = new Command("ledger", "The double-entry ledger: journal exports and month-end summaries");
        ledger.Subcommands.Add(export);
        return ledger;
    }

    /// <summary><c>billing reconcile [--detail]</c>: exit code 0 when clean, 1 when anything drifted.</summary>
    public static Command Reconcile()
    {
        var detail = new Option<bool>("--detail") { Description = "List every drift and acceptable difference" };
        var command = new Command("reconcile", "Reconcile invoices against the ledger (and Stripe when configured)") { detail };
        command.SetApiAction(async (parse, api, ct) =>
        {
            var withDetail = parse.GetValue(detail);
            // Piped into a file or grep, a table at the default 80 columns would wrap ids and kinds mid-word.
            if (Console.IsOutputRedirected)
                AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
            var report = await api.GetAsync<ReconcileResponse>($"/admin/reconcile?detail={(withDetail ? "true" : "false")}", ct);
            var status = report.Status;
            var summary = CommandBase.NewTable("status", "accounts checked", "invoices checked", "drifts", "stripe checked");
            summary.AddRow(Wire.Text(status), Wire.Text(report.AccountsChecked), Wire.Text(report.InvoicesChecked), Wire.Text(report.DriftCount),
                Wire.Text(report.StripeChecked));
            summary.Write();
            if (withDetail)
            {
                var drifts = CommandBase.NewTable("kind", "invoice", "expected", "actual", "detail");
                foreach (var d in report.Drifts ?? [])
                    drifts.AddRow(d.Kind, Wire.Text(d.InvoiceId), Wire.Text(d.Expected), Wire.Text(d.Actual), Markup.Escape(d.Detail));
                drifts.Write();
                if (report.AcceptableDifferences is { Count: > 0 } acceptable)
                {
                    var table = CommandBase.NewTable("source", "invoice", "expected", "actual", "difference");
                    foreach (var a in acceptable)
                        table.AddRow(a.Source, Wire.Text(a.InvoiceId), Wire.Text(a.Expected), Wire.Text(a.Actual), Wire.Text(a.Difference));
                    table.Write();
                }
            }
            return status == "clean" ? 0 : 1;
        });
        return command;
    }

    static int SummaryExitCode(byte[] bytes) => ReadSummary(bytes).TrialBalanceOk ? 0 : 1;

    static int PrintSummary(byte[] bytes)
    {
        var root = ReadSummary(bytes);
        var ok = root.TrialBalanceOk;
        AnsiConsole.MarkupLine($"Month-end summary {Markup.Escape(root.Period)}: {Wire.Text(root.EntryCount)} entries, trial balance {(ok ? "[green]balanced[/]" : "[red]NOT BALANCED[/]")}");
        foreach (var currency in root.Currencies)
        {
            var code = currency.Currency;
            string M(long minor) => MoneyDisplay.Text(minor, code);
            var table = CommandBase.NewTable("currency", "ledger account", "debit", "credit", "balance");
            foreach (var account in currency.Accounts)
                table.AddRow(code, Markup.Escape(account.LedgerAccount), M(account.DebitMinor), M(account.CreditMinor), M(account.BalanceMinor));
            var debit = currency.DebitMinor;
            var credit = currency.CreditMinor;
            table.AddRow(code, "[bold](total)[/]", M(debit), M(credit), M(debit - credit));
            table.Write();
        }
        return ok ? 0 : 1;
    }

    /// <summary>The summary export as the API writes it: <see cref="MonthEndSummary"/> in <see cref="LedgerJson"/>.</summary>
    static MonthEndSummary ReadSummary(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<MonthEndSummary>(bytes, LedgerJson.Options) ?? throw new CliException("the admin API answered the summary export with null");
        }
        catch (JsonException e)
        {
            throw new CliException($"the admin API's summary export does not read as {nameof(MonthEndSummary)}: {e.Message}");
        }
    }
}
