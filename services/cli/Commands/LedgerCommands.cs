using System.CommandLine;
using System.Text.Json;
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
            var report = await api.GetAsync($"/admin/reconcile?detail={(withDetail ? "true" : "false")}", ct);
            var status = report.GetProperty("status").GetString();
            var summary = CommandBase.NewTable("status", "accounts checked", "invoices checked", "drifts", "stripe checked");
            summary.AddRow(status ?? "", Text(report, "accounts_checked"), Text(report, "invoices_checked"), Text(report, "drift_count"), Text(report, "stripe_checked"));
            summary.Write();
            if (withDetail)
            {
                var drifts = CommandBase.NewTable("kind", "invoice", "expected", "actual", "detail");
                foreach (var d in report.GetProperty("drifts").EnumerateArray())
                    drifts.AddRow(Text(d, "kind"), Text(d, "invoice_id"), Text(d, "expected"), Text(d, "actual"), Markup.Escape(Text(d, "detail")));
                drifts.Write();
                var acceptable = report.GetProperty("acceptable_differences");
                if (acceptable.GetArrayLength() > 0)
                {
                    var table = CommandBase.NewTable("source", "invoice", "expected", "actual", "difference");
                    foreach (var a in acceptable.EnumerateArray())
                        table.AddRow(Text(a, "source"), Text(a, "invoice_id"), Text(a, "expected"), Text(a, "actual"), Text(a, "difference"));
                    table.Write();
                }
            }
            return status == "clean" ? 0 : 1;
        });
        return command;
    }

    static int SummaryExitCode(byte[] bytes) =>
        JsonDocument.Parse(bytes).RootElement.GetProperty("trial_balance_ok").GetBoolean() ? 0 : 1;

    static int PrintSummary(byte[] bytes)
    {
        var root = JsonDocument.Parse(bytes).RootElement;
        var ok = root.GetProperty("trial_balance_ok").GetBoolean();
        AnsiConsole.MarkupLine($"Month-end summary {Markup.Escape(Text(root, "period"))}: {Text(root, "entry_count")} entries, trial balance {(ok ? "[green]balanced[/]" : "[red]NOT BALANCED[/]")}");
        foreach (var currency in root.GetProperty("currencies").EnumerateArray())
        {
            var code = Text(currency, "currency");
            string M(long minor) => CreditCommands.Format(minor, code);
            var table = CommandBase.NewTable("currency", "ledger account", "debit", "credit", "balance");
            foreach (var account in currency.GetProperty("accounts").EnumerateArray())
                table.AddRow(code, Markup.Escape(Text(account, "ledger_account")), M(account.GetProperty("debit_minor").GetInt64()),
                    M(account.GetProperty("credit_minor").GetInt64()), M(account.GetProperty("balance_minor").GetInt64()));
            var debit = currency.GetProperty("debit_minor").GetInt64();
            var credit = currency.GetProperty("credit_minor").GetInt64();
            table.AddRow(code, "[bold](total)[/]", M(debit), M(credit), M(debit - credit));
            table.Write();
        }
        return ok ? 0 : 1;
    }

    static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null => "",
            _ => v.GetRawText(),
        } : "";
}
